/**
 * Request validation of POST /{phone-number-id}/messages, with Meta's codes and limits.
 * Returns null when valid, or `{code, details, message?}` describing the first problem found.
 * `details` always names the offending field path (e.g. `interactive.action.buttons[3]`).
 */

export interface ValidationFailure {
	code: number;
	details: string;
	/** Full error.message override (Meta uses "(#100) The parameter X is required." style for top-level params). */
	message?: string;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const len = (s: string): number => [...s].length;

export const LIMITS = {
	textBody: 4096,
	interactiveBody: 1024,
	header: 60,
	footer: 60,
	buttonsMin: 1,
	buttonsMax: 3,
	buttonTitle: 20,
	buttonId: 256,
	listButton: 20,
	listSections: 10,
	listRowsTotal: 10,
	sectionTitle: 24,
	rowTitle: 24,
	rowDescription: 72,
	rowId: 200,
	ctaDisplayText: 20,
	caption: 1024,
	toMinDigits: 7,
	toMaxDigits: 15,
} as const;

export const SUPPORTED_TYPES = [
	'text',
	'template',
	'interactive',
	'image',
	'document',
	'audio',
	'video',
	'sticker',
	'location',
	'contacts',
	'reaction',
] as const;

const required = (field: string): ValidationFailure => ({
	code: 100,
	details: `The parameter ${field} is required.`,
	message: `(#100) The parameter ${field} is required.`,
});
const missing = (field: string): ValidationFailure => ({
	code: 131008,
	details: `${field} is required`,
});
const invalid = (field: string, why: string): ValidationFailure => ({
	code: 131009,
	details: `${field}: ${why}`,
});
const tooLong = (field: string, max: number): ValidationFailure => ({
	code: 100,
	details: `Param ${field} must be at most ${max} characters long.`,
	message: `(#100) Param ${field} must be at most ${max} characters long.`,
});

export function isValidUrl(s: unknown): boolean {
	if (typeof s !== 'string') return false;
	try {
		const u = new URL(s);
		return (u.protocol === 'http:' || u.protocol === 'https:') && !!u.hostname;
	} catch {
		return false;
	}
}

/** `to` normalisation: strips +, spaces, dashes, dots and parentheses; returns digits or null if invalid. */
export function normalizeTo(to: unknown): string | null {
	if (typeof to !== 'string' && typeof to !== 'number') return null;
	const s = String(to).trim();
	if (!/^\+?[0-9\s\-().]+$/.test(s)) return null;
	const digits = s.replace(/\D/g, '');
	if (digits.length < LIMITS.toMinDigits || digits.length > LIMITS.toMaxDigits) return null;
	return digits;
}

function checkText(
	v: unknown,
	field: string,
	max: number,
	opts: { required?: boolean; tooLongCode?: 'param' | 'value' } = {},
): ValidationFailure | null {
	if (v === undefined || v === null || v === '') {
		return opts.required ? missing(field) : null;
	}
	if (typeof v !== 'string') return invalid(field, 'must be a string');
	if (len(v) > max) {
		return opts.tooLongCode === 'param'
			? tooLong(field, max)
			: invalid(field, `text too long. Max length: ${max}, got ${len(v)}`);
	}
	return null;
}

function checkMedia(m: unknown, field: string): ValidationFailure | null {
	if (!isObj(m)) return required(field);
	const hasId = typeof m.id === 'string' && m.id.length > 0;
	if (!hasId && m.link === undefined) return missing(`${field}.link or ${field}.id`);
	if (!hasId && !isValidUrl(m.link)) return invalid(`${field}.link`, 'is not a valid URL');
	return checkText(m.caption, `${field}.caption`, LIMITS.caption);
}

function checkInteractiveHeader(h: unknown, allowMedia: boolean): ValidationFailure | null {
	if (h === undefined) return null;
	if (!isObj(h)) return invalid('interactive.header', 'must be an object');
	const t = h.type;
	if (t === 'text') return checkText(h.text, 'interactive.header.text', LIMITS.header, { required: true });
	if (allowMedia && (t === 'image' || t === 'video' || t === 'document')) {
		return checkMedia(h[t], `interactive.header.${t}`);
	}
	return invalid('interactive.header.type', `unsupported header type '${String(t)}'`);
}

function checkInteractive(i: unknown): ValidationFailure | null {
	if (!isObj(i)) return required('interactive');
	const type = i.type;
	if (type === undefined) return missing('interactive.type');
	if (type !== 'button' && type !== 'list' && type !== 'cta_url') {
		return invalid('interactive.type', `unsupported interactive type '${String(type)}' (supported: button, list, cta_url)`);
	}
	const body = i.body;
	if (!isObj(body)) return missing('interactive.body');
	let f = checkText(body.text, 'interactive.body.text', LIMITS.interactiveBody, { required: true });
	if (f) return f;
	f = checkInteractiveHeader(i.header, type !== 'list');
	if (f) return f;
	if (i.footer !== undefined) {
		if (!isObj(i.footer)) return invalid('interactive.footer', 'must be an object');
		f = checkText(i.footer.text, 'interactive.footer.text', LIMITS.footer, { required: true });
		if (f) return f;
	}
	const action = i.action;
	if (!isObj(action)) return missing('interactive.action');

	if (type === 'button') {
		const buttons = action.buttons;
		if (!Array.isArray(buttons)) return missing('interactive.action.buttons');
		if (buttons.length < LIMITS.buttonsMin || buttons.length > LIMITS.buttonsMax) {
			return invalid(
				'interactive.action.buttons',
				`Invalid buttons count. Min allowed buttons: ${LIMITS.buttonsMin}, Max allowed buttons: ${LIMITS.buttonsMax}, got ${buttons.length}`,
			);
		}
		const ids = new Set<string>();
		const titles = new Set<string>();
		for (let n = 0; n < buttons.length; n++) {
			const b = buttons[n];
			const p = `interactive.action.buttons[${n}]`;
			if (!isObj(b)) return invalid(p, 'must be an object');
			if (b.type !== 'reply') return invalid(`${p}.type`, "must be 'reply'");
			if (!isObj(b.reply)) return missing(`${p}.reply`);
			const { id, title } = b.reply;
			if (typeof title !== 'string' || len(title) < 1) return missing(`${p}.reply.title`);
			if (len(title) > LIMITS.buttonTitle) {
				return invalid(`${p}.reply.title`, `Button title length invalid. Min length: 1, Max length: ${LIMITS.buttonTitle}, got ${len(title)}`);
			}
			if (typeof id !== 'string' || len(id) < 1) return missing(`${p}.reply.id`);
			if (len(id) > LIMITS.buttonId) {
				return invalid(`${p}.reply.id`, `Button id length invalid. Min length: 1, Max length: ${LIMITS.buttonId}`);
			}
			if (ids.has(id)) return invalid(`${p}.reply.id`, `Duplicate button id '${id}'. Button ids must be unique`);
			if (titles.has(title)) return invalid(`${p}.reply.title`, `Duplicate button title '${title}'. Button titles must be unique`);
			ids.add(id);
			titles.add(title);
		}
		return null;
	}

	if (type === 'list') {
		const button = action.button;
		if (typeof button !== 'string' || len(button) < 1) return missing('interactive.action.button');
		if (len(button) > LIMITS.listButton) {
			return invalid('interactive.action.button', `Button text length invalid. Min length: 1, Max length: ${LIMITS.listButton}, got ${len(button)}`);
		}
		const sections = action.sections;
		if (!Array.isArray(sections) || sections.length === 0) return missing('interactive.action.sections');
		if (sections.length > LIMITS.listSections) {
			return invalid('interactive.action.sections', `Too many sections. Max allowed sections: ${LIMITS.listSections}, got ${sections.length}`);
		}
		let total = 0;
		const rowIds = new Set<string>();
		for (let s = 0; s < sections.length; s++) {
			const sec = sections[s];
			const sp = `interactive.action.sections[${s}]`;
			if (!isObj(sec)) return invalid(sp, 'must be an object');
			if (sections.length > 1 && (typeof sec.title !== 'string' || sec.title === '')) {
				return missing(`${sp}.title`);
			}
			if (sec.title !== undefined) {
				if (typeof sec.title !== 'string') return invalid(`${sp}.title`, 'must be a string');
				if (len(sec.title) > LIMITS.sectionTitle) {
					return invalid(`${sp}.title`, `Section title is too long. Max length: ${LIMITS.sectionTitle}, got ${len(sec.title)}`);
				}
			}
			const rows = sec.rows;
			if (!Array.isArray(rows) || rows.length === 0) return missing(`${sp}.rows`);
			total += rows.length;
			if (total > LIMITS.listRowsTotal) {
				return invalid('interactive.action.sections', `Total row count exceed max allowed count: ${LIMITS.listRowsTotal}`);
			}
			for (let r = 0; r < rows.length; r++) {
				const row = rows[r];
				const rp = `${sp}.rows[${r}]`;
				if (!isObj(row)) return invalid(rp, 'must be an object');
				if (typeof row.id !== 'string' || row.id === '') return missing(`${rp}.id`);
				if (len(row.id) > LIMITS.rowId) return invalid(`${rp}.id`, `Row id is too long. Max length: ${LIMITS.rowId}`);
				if (rowIds.has(row.id)) return invalid(`${rp}.id`, `Duplicate row id '${row.id}'. Row ids must be unique`);
				rowIds.add(row.id);
				if (typeof row.title !== 'string' || row.title === '') return missing(`${rp}.title`);
				if (len(row.title) > LIMITS.rowTitle) {
					return invalid(`${rp}.title`, `Row title is too long. Max length: ${LIMITS.rowTitle}, got ${len(row.title)}`);
				}
				if (row.description !== undefined) {
					if (typeof row.description !== 'string') return invalid(`${rp}.description`, 'must be a string');
					if (len(row.description) > LIMITS.rowDescription) {
						return invalid(`${rp}.description`, `Row description is too long. Max length: ${LIMITS.rowDescription}, got ${len(row.description)}`);
					}
				}
			}
		}
		return null;
	}

	// cta_url
	if (action.name !== 'cta_url') return invalid('interactive.action.name', "must be 'cta_url'");
	const params = action.parameters;
	if (!isObj(params)) return missing('interactive.action.parameters');
	const dt = params.display_text;
	if (typeof dt !== 'string' || dt === '') return missing('interactive.action.parameters.display_text');
	if (len(dt) > LIMITS.ctaDisplayText) {
		return invalid('interactive.action.parameters.display_text', `Display text length invalid. Min length: 1, Max length: ${LIMITS.ctaDisplayText}, got ${len(dt)}`);
	}
	if (params.url === undefined || params.url === '') return missing('interactive.action.parameters.url');
	if (!isValidUrl(params.url)) return invalid('interactive.action.parameters.url', 'is not a valid URL');
	return null;
}

/** Structural validation of a send request (not templates' existence, window or throughput). */
export function validateSend(body: Obj): ValidationFailure | null {
	if (body.messaging_product === undefined) return required('messaging_product');
	if (body.messaging_product !== 'whatsapp') {
		return {
			code: 100,
			details: `Param messaging_product must be one of {WHATSAPP} - got "${String(body.messaging_product)}".`,
			message: `(#100) Param messaging_product must be one of {WHATSAPP} - got "${String(body.messaging_product)}".`,
		};
	}
	if (body.recipient_type !== undefined && body.recipient_type !== 'individual') {
		return invalid('recipient_type', "must be 'individual'");
	}
	if (body.to === undefined || body.to === '') return required('to');
	if (normalizeTo(body.to) === null) {
		return invalid('to', `Invalid phone number '${String(body.to)}'. Expected 7-15 digits with an optional leading +`);
	}
	const type = body.type ?? 'text';
	if (typeof type !== 'string' || !(SUPPORTED_TYPES as readonly string[]).includes(type)) {
		return {
			code: 100,
			details: `Param type must be one of {${SUPPORTED_TYPES.join(', ').toUpperCase()}} - got "${String(type)}".`,
			message: `(#100) Param type must be one of {${SUPPORTED_TYPES.join(', ').toUpperCase()}} - got "${String(type)}".`,
		};
	}
	if (body.context !== undefined && (!isObj(body.context) || typeof body.context.message_id !== 'string')) {
		return missing('context.message_id');
	}
	switch (type) {
		case 'text': {
			const t = body.text;
			if (!isObj(t) || t.body === undefined || t.body === '') return required("text['body']");
			return checkText(t.body, "text['body']", LIMITS.textBody, { required: true, tooLongCode: 'param' });
		}
		case 'interactive':
			return checkInteractive(body.interactive);
		case 'image':
		case 'document':
		case 'audio':
		case 'video':
		case 'sticker':
			return checkMedia(body[type], type);
		case 'template': {
			const t = body.template;
			if (!isObj(t)) return required('template');
			if (typeof t.name !== 'string' || t.name === '') return required("template['name']");
			if (!isObj(t.language) || typeof t.language.code !== 'string' || t.language.code === '') {
				return required("template['language']");
			}
			if (t.components !== undefined && !Array.isArray(t.components)) {
				return invalid('template.components', 'must be an array');
			}
			return null;
		}
		case 'reaction': {
			const r = body.reaction;
			if (!isObj(r) || typeof r.message_id !== 'string') return missing('reaction.message_id');
			return null;
		}
		default:
			return isObj(body[type]) ? null : required(type);
	}
}

/** Placeholders `{{1}}` / `{{name}}` in a template text (unique, in order). */
export function placeholders(text: unknown): string[] {
	if (typeof text !== 'string') return [];
	const out: string[] = [];
	for (const m of text.matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)) {
		if (!out.includes(m[1])) out.push(m[1]);
	}
	return out;
}
