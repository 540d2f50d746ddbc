/** Meta's template categories (create-template API, `category`). */
export type TemplateCategory = 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';

/** A language code as Meta spells it: `en`, `es`, `pt_BR`. */
export type TemplateLanguage = string;

export interface TemplateButton {
	type: 'QUICK_REPLY' | 'URL' | 'PHONE_NUMBER' | 'COPY_CODE' | string;
	text: string;
	/** URL buttons: fixed URL, or one ending in `{{1}}` (dynamic suffix filled at send time). */
	url?: string;
	/** URL buttons with `{{1}}`: the full example URL. */
	example?: string[];
	phone_number?: string;
}

/** One entry of Meta's `components` array, exactly as the create-template API takes it. */
export interface TemplateComponent {
	type: 'HEADER' | 'BODY' | 'FOOTER' | 'BUTTONS' | string;
	format?: 'TEXT' | 'IMAGE' | 'VIDEO' | 'DOCUMENT' | 'LOCATION' | string;
	text?: string;
	example?: { header_text?: string[]; body_text?: string[][]; header_handle?: string[] };
	buttons?: TemplateButton[];
}

/** A named variable; its position in the list is its `{{n}}` number (1-based). */
export interface TemplateVariable {
	name: string;
	description?: string;
	/** Filled from branding.json when no value is given: `resortName`, `signOff` (per language), … */
	branding?: keyof Branding;
}

export interface TemplateVariables {
	header?: TemplateVariable[];
	body?: TemplateVariable[];
	/** Dynamic URL suffixes, by button index (0-based, Meta's `index`). */
	buttons?: Array<TemplateVariable & { index: number }>;
}

/**
 * One template name with all its languages (a file in templates/message-templates/journeys/).
 * `toMetaTemplate(def, language)` gives the exact create-template request body for one language.
 */
export interface TemplateDefinition {
	name: string;
	category: TemplateCategory;
	description?: string;
	variables: TemplateVariables;
	/** Quick-reply payloads sent with the template, by button index; they come back on the tap. */
	buttonPayloads?: Record<string, string>;
	languages: Record<TemplateLanguage, { components: TemplateComponent[] }>;
}

/** The single-language shape Meta's API uses (templates/message-templates/hello_guest.json). */
export interface MetaTemplate {
	name: string;
	language: TemplateLanguage;
	category: TemplateCategory;
	components: TemplateComponent[];
}

/** templates/branding.json */
export interface Branding {
	resortName: string;
	logoUrl: string;
	defaultLanguage: TemplateLanguage;
	bookingBaseUrl: string;
	/**
	 * The Resort Tracked Link Trigger's production URL up to the token (`…/webhook/<id>/go?l=`).
	 * Set: templates:push registers URL buttons there, so clicks are recorded. Empty: buttons
	 * open the booking site directly and clicks are not seen.
	 */
	trackedLinkBaseUrl?: string;
	timeZone: string;
	/** Sign-off per template language. */
	signOff: Record<TemplateLanguage, string>;
}

/** Parameters for the Resort WhatsApp node's template send (`buildTemplateMessage`). */
export interface TemplateSendParameters {
	name: string;
	language: TemplateLanguage;
	header?: { type: 'text'; text: string };
	bodyParameters: string[];
	buttons: Array<{ index: number; subType: 'quick_reply' | 'url'; value: string }>;
}

export class TemplateError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'TemplateError';
	}
}
