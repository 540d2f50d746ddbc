export * from './types';
export * from './quietHours';
export * from './evaluate';
export * from './coerce';
