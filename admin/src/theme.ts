import { defaultTheme, type RaThemeOptions } from 'react-admin';

/** Fabrique Territoires Santé's colours, contrasted enough for WCAG AA text. */
export const theme: RaThemeOptions = {
  ...defaultTheme,
  palette: {
    primary: { main: '#1d5a8c' },
    secondary: { main: '#7a2e5b' },
    // MUI's red (#d32f2f) is below 4.5:1 on the form toolbar's grey (the "Supprimer" button).
    error: { main: '#b71c1c' },
  },
  components: {
    ...defaultTheme.components,
    // Buttons above a list wrap on a tablet instead of widening the page.
    RaTopToolbar: { styleOverrides: { root: { flexWrap: 'wrap' } } },
    // react-admin's loading spinners carry no name (axe: aria-progressbar-name).
    MuiCircularProgress: { defaultProps: { 'aria-label': 'Chargement…' } },
    // MUI's own English ("No options", "Open"...) where react-admin passes nothing.
    MuiAutocomplete: { defaultProps: { noOptionsText: 'Aucun résultat', clearText: 'Effacer', openText: 'Ouvrir', closeText: 'Fermer', loadingText: 'Chargement…' } },
  } as RaThemeOptions['components'],
};
