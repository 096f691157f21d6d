import { Step, StepLabel, Stepper } from '@mui/material';

const STEPS = ['Fichier', 'Colonnes', 'Aperçu', 'Import', 'Rapport'];

export function ImportSteps({ active }: { active: number }) {
  return (
    <Stepper activeStep={active} alternativeLabel sx={{ mb: 3 }} aria-label="Étapes de l'import">
      {STEPS.map((label) => (
        <Step key={label}>
          <StepLabel>{label}</StepLabel>
        </Step>
      ))}
    </Stepper>
  );
}
