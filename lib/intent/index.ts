export { classifyIntent } from './classify';
export { compileKeywords, DEFAULT_KEYWORDS } from './keywords';
export { normalizeText, tokenize } from './normalize';
export { extractEntities } from './entities';
export * from './types';
