/** Texts of the operator pages (domain `operator`). Keys: `operator.*`; `{name}` marks a parameter. */
export const operator = {
  en: {
    'operator.home': 'Home',
  },
  fi: {
    'operator.home': 'Etusivu',
  },
  sv: {
    'operator.home': 'Startsida',
  },
};
