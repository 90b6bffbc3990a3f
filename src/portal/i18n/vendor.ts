/** Texts of the vendor pages (domain `vendor`). Keys: `vendor.*`; `{name}` marks a parameter. */
export const vendor = {
  en: {
    'vendor.home': 'Home',
  },
  fi: {
    'vendor.home': 'Etusivu',
  },
  sv: {
    'vendor.home': 'Startsida',
  },
};
