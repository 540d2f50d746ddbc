export type { AdaptedBookingEvent, AdapterResult } from './types';
export * from './cloudbeds';
export * from './mews';
