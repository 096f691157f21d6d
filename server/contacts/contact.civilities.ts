/** How a contact is addressed; shared by the stored model and the API's schemas (which the model must not import: zod). */
export const CIVILITIES = ['madame', 'monsieur'] as const;
