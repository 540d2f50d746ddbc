/**
 * Message templates as code: the shipped definitions (templates/message-templates/), language
 * choice, named → positional parameters for the Resort WhatsApp node, and Meta's template rules.
 * Pure: no n8n, no I/O. scripts/templates-push.ts pushes the definitions to a WABA.
 */
export * from './types';
export {
	DEFAULT_BRANDING,
	JOURNEY_TEMPLATE_NAMES,
	clone,
	findTemplate,
	fromMetaTemplate,
	loadTemplates,
	placeholderNumbers,
	toMetaTemplate,
	withTrackedLinks,
} from './definitions';
export { FALLBACK_LANGUAGE, pickLanguage } from './language';
export {
	bodyParameters,
	cleanParameter,
	formatStayDate,
	templateParameters,
	type ParameterOptions,
	type TemplateValues,
} from './parameters';
export {
	TEMPLATE_CATEGORIES,
	TEMPLATE_LIMITS,
	validateMetaTemplate,
	validateTemplateDefinition,
	type TemplateValidation,
} from './validate';
export { sameTemplateContent, templateContent } from './compare';
