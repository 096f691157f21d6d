import { defaultTheme, type RaThemeOptions } from 'react-admin';

/** Fabrique Territoires Santé's colours, contrasted enough for WCAG AA text. */
export const theme: RaThemeOptions = {
  ...defaultTheme,
  palette: {
    primary: { main: '#1d5a8c' },
    secondary: { main: '#7a2e5b' },
  },
};
