/** Texts of the company pages (domain `company`). Keys: `company.*`; `{name}` marks a parameter. */
export const company = {
  en: {
    'company.home': 'Home',
  },
  fi: {
    'company.home': 'Etusivu',
  },
  sv: {
    'company.home': 'Startsida',
  },
};
