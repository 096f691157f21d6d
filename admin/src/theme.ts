import { defaultTheme, type RaThemeOptions } from 'react-admin';

/** Fabrique Territoires Santé's colours, contrasted enough for WCAG AA text. */
export const theme: RaThemeOptions = {
  ...defaultTheme,
  palette: {
    primary: { main: '#1d5a8c' },
    secondary: { main: '#7a2e5b' },
    error: { main: '#b3261e' },
  },
  components: {
    ...defaultTheme.components,
    // Buttons above a list wrap on a tablet instead of widening the page.
    RaTopToolbar: { styleOverrides: { root: { flexWrap: 'wrap' } } },
    // react-admin's loading spinners carry no name (axe: aria-progressbar-name).
    MuiCircularProgress: { defaultProps: { 'aria-label': 'Chargement…' } },
  } as RaThemeOptions['components'],
};
