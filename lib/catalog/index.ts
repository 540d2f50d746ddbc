export { lookupCatalog, indexCatalog, campaignFor, trackedUrl } from './lookup';
export { validateCatalog, assertCatalog } from './validate';
export * from './types';
