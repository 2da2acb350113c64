export const VERSION_PLACEHOLDER = 1;
