import { useMediaQuery, type Theme } from '@mui/material';

/** Under 600 px (MUI's `sm`), lists switch to react-admin's SimpleList: a table would be clipped. */
export const usePhone = () => useMediaQuery((theme: Theme) => theme.breakpoints.down('sm'));
