/** Texts of the data-user pages (domain `data-user`). Keys: `dataUser.*`; `{name}` marks a parameter. */
export const dataUser = {
  en: {
    'dataUser.home': 'Home',
  },
  fi: {
    'dataUser.home': 'Etusivu',
  },
  sv: {
    'dataUser.home': 'Startsida',
  },
};
