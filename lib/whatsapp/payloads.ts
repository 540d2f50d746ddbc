/**
 * Builders for WhatsApp Cloud API message payloads. Each one checks Meta's published limits
 * first, so a payload Meta would reject is refused here with the offending field named,
 * instead of spending an API call (and a retry budget) on it.
 */

export const LIMITS = {
	textBody: 4096,
	/** `biz_opaque_callback_data`: returned by Meta in the message's status webhooks. */
	callbackData: 512,
	interactiveBody: 1024,
	interactiveHeader: 60,
	interactiveFooter: 60,
	replyButtons: 3,
	replyButtonTitle: 20,
	replyButtonId: 256,
	listButton: 20,
	listSections: 10,
	listRows: 10,
	listSectionTitle: 24,
	listRowId: 200,
	listRowTitle: 24,
	listRowDescription: 72,
	ctaDisplayText: 20,
	templateName: 512,
} as const;

export class PayloadValidationError extends Error {
	constructor(
		readonly field: string,
		message: string,
	) {
		super(`${field}: ${message}`);
		this.name = 'PayloadValidationError';
	}
}

/** A Graph API request body; the value type matches n8n's IDataObject so nodes can pass it on. */
export type Payload = {
	[key: string]: string | number | boolean | null | undefined | object;
};
type Json = Payload;

function requireText(field: string, value: unknown, max: number): string {
	if (typeof value !== 'string' || value.trim() === '') {
		throw new PayloadValidationError(field, 'is required');
	}
	// Meta counts characters, not UTF-16 code units: an emoji is one character.
	const length = [...value].length;
	if (length > max) {
		throw new PayloadValidationError(field, `is ${length} characters; the maximum is ${max}`);
	}
	return value;
}

function optionalText(field: string, value: unknown, max: number): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	return requireText(field, value, max);
}

/** Accepts E.164 with or without '+', spaces, dashes or parentheses; returns digits only. */
export function normalizeRecipient(to: unknown): string {
	if (typeof to !== 'string' && typeof to !== 'number') {
		throw new PayloadValidationError('to', 'is required (a phone number in international format)');
	}
	const raw = String(to).trim();
	const digits = raw.replace(/[\s\-().]/g, '').replace(/^\+/, '');
	if (!/^[1-9]\d{6,14}$/.test(digits)) {
		throw new PayloadValidationError(
			'to',
			`"${maskPhone(raw)}" is not a phone number in international format (E.164)`,
		);
	}
	return digits;
}

/** `+34•••••12`: enough to recognise a guest in a log, not enough to contact them. */
export function maskPhone(phone: string): string {
	const digits = phone.replace(/\D/g, '');
	if (digits.length < 5) return '•'.repeat(digits.length);
	return `+${digits.slice(0, 2)}${'•'.repeat(digits.length - 4)}${digits.slice(-2)}`;
}

function envelope(to: string, type: string, content: Json, replyToMessageId?: string): Json {
	const payload: Json = {
		messaging_product: 'whatsapp',
		recipient_type: 'individual',
		to: normalizeRecipient(to),
		type,
		[type]: content,
	};
	if (replyToMessageId) payload.context = { message_id: replyToMessageId };
	return payload;
}

/**
 * Adds `biz_opaque_callback_data`, which Meta copies into every status webhook of the message
 * (the journeys tag their sends with it, lib/journey/sendTag). Empty: the payload is unchanged.
 */
export function withCallbackData(payload: Payload, callbackData: string | undefined): Payload {
	if (callbackData === undefined || callbackData === '') return payload;
	if (callbackData.length > LIMITS.callbackData) {
		throw new PayloadValidationError('biz_opaque_callback_data', `is ${callbackData.length} characters; Meta allows at most ${LIMITS.callbackData}`);
	}
	return { ...payload, biz_opaque_callback_data: callbackData };
}

export interface TextMessageInput {
	to: string;
	body: string;
	previewUrl?: boolean;
	replyToMessageId?: string;
}

export function buildTextMessage(input: TextMessageInput): Json {
	const body = requireText('text.body', input.body, LIMITS.textBody);
	return envelope(
		input.to,
		'text',
		{ preview_url: input.previewUrl ?? false, body },
		input.replyToMessageId,
	);
}

export type TemplateHeader =
	| { type: 'text'; text: string }
	| { type: 'image' | 'video' | 'document'; link: string; filename?: string };

export interface TemplateButtonParameter {
	index: number;
	subType: 'quick_reply' | 'url' | 'copy_code';
	/** Payload for quick replies, the dynamic URL suffix for url buttons, the code for copy_code. */
	value: string;
}

export interface TemplateMessageInput {
	to: string;
	name: string;
	language: string;
	header?: TemplateHeader;
	bodyParameters?: string[];
	buttons?: TemplateButtonParameter[];
	replyToMessageId?: string;
}

export function buildTemplateMessage(input: TemplateMessageInput): Json {
	const name = requireText('template.name', input.name, LIMITS.templateName);
	if (!/^[a-z0-9_]+$/.test(name)) {
		throw new PayloadValidationError(
			'template.name',
			'may contain only lowercase letters, digits and underscores',
		);
	}
	const language = requireText('template.language.code', input.language, 15);
	if (!/^[a-z]{2,3}(_[A-Z]{2})?$/.test(language)) {
		throw new PayloadValidationError(
			'template.language.code',
			`"${language}" is not a language code like en or pt_BR`,
		);
	}
	const components: Json[] = [];
	if (input.header) {
		const header = input.header;
		if (header.type === 'text') {
			components.push({
				type: 'header',
				parameters: [
					{
						type: 'text',
						text: requireText('template.header.text', header.text, LIMITS.interactiveHeader),
					},
				],
			});
		} else {
			const link = requireUrl('template.header.link', header.link);
			const media: Json = { link };
			if (header.type === 'document' && header.filename) media.filename = header.filename;
			components.push({
				type: 'header',
				parameters: [{ type: header.type, [header.type]: media }],
			});
		}
	}
	if (input.bodyParameters?.length) {
		components.push({
			type: 'body',
			parameters: input.bodyParameters.map((text, index) => ({
				type: 'text',
				text: requireText(`template.body.parameters[${index}]`, text, LIMITS.interactiveBody),
			})),
		});
	}
	const seenIndexes = new Set<number>();
	for (const [position, button] of (input.buttons ?? []).entries()) {
		const field = `template.buttons[${position}]`;
		if (!Number.isInteger(button.index) || button.index < 0 || button.index > 9) {
			throw new PayloadValidationError(`${field}.index`, 'must be a whole number from 0 to 9');
		}
		if (seenIndexes.has(button.index)) {
			throw new PayloadValidationError(`${field}.index`, `button ${button.index} is given twice`);
		}
		seenIndexes.add(button.index);
		const value = requireText(
			`${field}.value`,
			button.value,
			button.subType === 'quick_reply' ? 128 : 2000,
		);
		const parameter =
			button.subType === 'quick_reply'
				? { type: 'payload', payload: value }
				: button.subType === 'copy_code'
					? { type: 'coupon_code', coupon_code: value }
					: { type: 'text', text: value };
		components.push({
			type: 'button',
			sub_type: button.subType,
			index: String(button.index),
			parameters: [parameter],
		});
	}
	const template: Json = { name, language: { code: language } };
	if (components.length) template.components = components;
	return envelope(input.to, 'template', template, input.replyToMessageId);
}

function requireUrl(field: string, value: unknown): string {
	const text = requireText(field, value, 2000);
	if (!URL.canParse(text)) throw new PayloadValidationError(field, `"${text}" is not a valid URL`);
	const url = new URL(text);
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		throw new PayloadValidationError(field, 'must be an http(s) URL');
	}
	return text;
}

export interface InteractiveFrame {
	to: string;
	body: string;
	headerText?: string;
	footer?: string;
	replyToMessageId?: string;
}

function interactiveFrame(input: InteractiveFrame): Json {
	const frame: Json = {
		body: {
			text: requireText('interactive.body.text', input.body, LIMITS.interactiveBody),
		},
	};
	const header = optionalText(
		'interactive.header.text',
		input.headerText,
		LIMITS.interactiveHeader,
	);
	if (header) frame.header = { type: 'text', text: header };
	const footer = optionalText('interactive.footer.text', input.footer, LIMITS.interactiveFooter);
	if (footer) frame.footer = { text: footer };
	return frame;
}

export interface ReplyButton {
	id: string;
	title: string;
}

export function buildReplyButtonsMessage(
	input: InteractiveFrame & { buttons: ReplyButton[] },
): Json {
	const buttons = input.buttons ?? [];
	if (buttons.length < 1 || buttons.length > LIMITS.replyButtons) {
		throw new PayloadValidationError(
			'interactive.action.buttons',
			`has ${buttons.length} buttons; 1 to ${LIMITS.replyButtons} are allowed`,
		);
	}
	const ids = new Set<string>();
	const action = {
		buttons: buttons.map((button, index) => {
			const id = requireText(
				`interactive.action.buttons[${index}].reply.id`,
				button.id,
				LIMITS.replyButtonId,
			);
			if (ids.has(id))
				throw new PayloadValidationError(
					`interactive.action.buttons[${index}].reply.id`,
					`"${id}" is used twice`,
				);
			ids.add(id);
			const title = requireText(
				`interactive.action.buttons[${index}].reply.title`,
				button.title,
				LIMITS.replyButtonTitle,
			);
			return { type: 'reply', reply: { id, title } };
		}),
	};
	return envelope(
		input.to,
		'interactive',
		{ type: 'button', ...interactiveFrame(input), action },
		input.replyToMessageId,
	);
}

export interface ListRow {
	id: string;
	title: string;
	description?: string;
}

export interface ListSection {
	title?: string;
	rows: ListRow[];
}

export function buildListMessage(
	input: InteractiveFrame & { buttonText: string; sections: ListSection[] },
): Json {
	const button = requireText('interactive.action.button', input.buttonText, LIMITS.listButton);
	const sections = input.sections ?? [];
	if (sections.length < 1 || sections.length > LIMITS.listSections) {
		throw new PayloadValidationError(
			'interactive.action.sections',
			`has ${sections.length} sections; 1 to ${LIMITS.listSections} are allowed`,
		);
	}
	const totalRows = sections.reduce((sum, section) => sum + (section.rows?.length ?? 0), 0);
	if (totalRows < 1 || totalRows > LIMITS.listRows) {
		throw new PayloadValidationError(
			'interactive.action.sections',
			`have ${totalRows} rows in total; 1 to ${LIMITS.listRows} are allowed`,
		);
	}
	const ids = new Set<string>();
	const builtSections = sections.map((section, s) => {
		const field = `interactive.action.sections[${s}]`;
		const title =
			sections.length > 1
				? requireText(`${field}.title`, section.title, LIMITS.listSectionTitle)
				: optionalText(`${field}.title`, section.title, LIMITS.listSectionTitle);
		const rows = (section.rows ?? []).map((row, r) => {
			const rowField = `${field}.rows[${r}]`;
			const id = requireText(`${rowField}.id`, row.id, LIMITS.listRowId);
			if (ids.has(id)) throw new PayloadValidationError(`${rowField}.id`, `"${id}" is used twice`);
			ids.add(id);
			const built: Json = {
				id,
				title: requireText(`${rowField}.title`, row.title, LIMITS.listRowTitle),
			};
			const description = optionalText(
				`${rowField}.description`,
				row.description,
				LIMITS.listRowDescription,
			);
			if (description) built.description = description;
			return built;
		});
		return title ? { title, rows } : { rows };
	});
	return envelope(
		input.to,
		'interactive',
		{
			type: 'list',
			...interactiveFrame(input),
			action: { button, sections: builtSections },
		},
		input.replyToMessageId,
	);
}

export function buildCtaUrlMessage(
	input: InteractiveFrame & { displayText: string; url: string },
): Json {
	const parameters = {
		display_text: requireText(
			'interactive.action.parameters.display_text',
			input.displayText,
			LIMITS.ctaDisplayText,
		),
		url: requireUrl('interactive.action.parameters.url', input.url),
	};
	return envelope(
		input.to,
		'interactive',
		{
			type: 'cta_url',
			...interactiveFrame(input),
			action: { name: 'cta_url', parameters },
		},
		input.replyToMessageId,
	);
}

export function buildMarkAsRead(messageId: string): Json {
	const id = requireText('message_id', messageId, 512);
	return { messaging_product: 'whatsapp', status: 'read', message_id: id };
}
