export * from './types';
export * from './cloudbeds';
export * from './mews';
