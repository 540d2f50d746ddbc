import { placeholderNumbers } from './definitions';
import type { MetaTemplate, TemplateComponent, TemplateDefinition } from './types';

/**
 * Meta's limits for message templates (WhatsApp Business Management API, create template):
 * lengths in characters, counts per template.
 */
export const TEMPLATE_LIMITS = {
	name: 512,
	body: 1024,
	header: 60,
	footer: 60,
	buttonText: 25,
	buttonUrl: 2000,
	buttons: 10,
	quickReplyButtons: 10,
	urlButtons: 2,
	phoneButtons: 1,
	copyCodeButtons: 1,
	headerVariables: 1,
} as const;

export const TEMPLATE_CATEGORIES = ['MARKETING', 'UTILITY', 'AUTHENTICATION'] as const;
const NAME_RE = /^[a-z0-9_]+$/;
const LANGUAGE_RE = /^[a-z]{2,3}(_[A-Z]{2})?$/;
const ANY_PLACEHOLDER = /\{\{[^}]*\}\}/g;

export interface TemplateValidation {
	valid: boolean;
	errors: string[];
}

const length = (s: string) => [...s].length;
const isObject = (v: unknown): v is Record<string, unknown> =>
	typeof v === 'object' && v !== null && !Array.isArray(v);

/** `{{1}}`, `{{2}}`, … must be numbered from 1 without gaps (and nothing like `{{name}}`). */
function checkNumbering(where: string, text: string, errors: string[]): number {
	const all = text.match(ANY_PLACEHOLDER) ?? [];
	const bad = all.filter((p) => !/^\{\{\s*\d+\s*\}\}$/.test(p));
	if (bad.length)
		errors.push(`${where}: placeholders must be positional like {{1}}, not ${bad.join(', ')}`);
	const numbers = placeholderNumbers(text);
	const sorted = [...numbers].sort((a, b) => a - b);
	if (sorted.some((n, i) => n !== i + 1)) {
		errors.push(
			`${where}: placeholders must be numbered {{1}}…{{${sorted.length}}} without gaps, found ${sorted.map((n) => `{{${n}}}`).join(', ')}`,
		);
	} else if (numbers.some((n, i) => n !== i + 1)) {
		errors.push(`${where}: placeholders must appear in order ({{1}} before {{2}} …)`);
	}
	return numbers.length;
}

function checkHeader(where: string, c: TemplateComponent, errors: string[]): number {
	const format = (c.format ?? 'TEXT').toUpperCase();
	if (format !== 'TEXT') {
		if (!['IMAGE', 'VIDEO', 'DOCUMENT', 'LOCATION'].includes(format))
			errors.push(`${where}: unknown header format "${format}"`);
		if (format !== 'LOCATION' && !c.example?.header_handle?.length) {
			errors.push(`${where}: a ${format} header needs example.header_handle (an uploaded sample)`);
		}
		return 0;
	}
	const text = c.text ?? '';
	if (!text.trim()) errors.push(`${where}: a TEXT header needs text`);
	if (length(text) > TEMPLATE_LIMITS.header)
		errors.push(
			`${where}: text is ${length(text)} characters, Meta allows ${TEMPLATE_LIMITS.header}`,
		);
	if (/[\n\r]/.test(text)) errors.push(`${where}: header text cannot contain line breaks`);
	const n = checkNumbering(where, text, errors);
	if (n > TEMPLATE_LIMITS.headerVariables)
		errors.push(`${where}: a header can have at most one variable, has ${n}`);
	if (n > 0) {
		const ex = c.example?.header_text;
		if (
			!Array.isArray(ex) ||
			ex.length !== n ||
			ex.some((e) => typeof e !== 'string' || !e.trim())
		) {
			errors.push(`${where}: needs example.header_text with one sample value`);
		}
	}
	return n;
}

function checkBody(where: string, c: TemplateComponent, errors: string[]): number {
	const text = c.text ?? '';
	if (!text.trim()) errors.push(`${where}: the body needs text`);
	if (length(text) > TEMPLATE_LIMITS.body)
		errors.push(
			`${where}: text is ${length(text)} characters, Meta allows ${TEMPLATE_LIMITS.body}`,
		);
	const n = checkNumbering(where, text, errors);
	const trimmed = text.trim();
	if (/^\{\{[^}]*\}\}/.test(trimmed) || /\{\{[^}]*\}\}$/.test(trimmed)) {
		errors.push(`${where}: the body cannot start or end with a variable (Meta rejects it)`);
	}
	if (/\}\}\s*\{\{/.test(text)) errors.push(`${where}: two variables cannot be next to each other`);
	if (n > 0) {
		const ex = c.example?.body_text;
		const row = Array.isArray(ex) ? ex[0] : undefined;
		if (
			!Array.isArray(row) ||
			row.length !== n ||
			row.some((e) => typeof e !== 'string' || !e.trim())
		) {
			errors.push(
				`${where}: needs example.body_text [[…]] with one sample for each of its ${n} variables, has ${Array.isArray(row) ? row.length : 0}`,
			);
		}
	}
	return n;
}

function checkFooter(where: string, c: TemplateComponent, errors: string[]): void {
	const text = c.text ?? '';
	if (!text.trim()) errors.push(`${where}: the footer needs text`);
	if (length(text) > TEMPLATE_LIMITS.footer)
		errors.push(
			`${where}: text is ${length(text)} characters, Meta allows ${TEMPLATE_LIMITS.footer}`,
		);
	if (ANY_PLACEHOLDER.test(text)) errors.push(`${where}: a footer cannot contain variables`);
	ANY_PLACEHOLDER.lastIndex = 0;
}

/** Button layout: `Q` quick reply, `U` dynamic URL, `u` fixed URL, `P` phone, `C` copy code. */
function checkButtons(
	where: string,
	c: TemplateComponent,
	category: string,
	errors: string[],
): string {
	const buttons = c.buttons ?? [];
	if (!Array.isArray(buttons) || buttons.length === 0) {
		errors.push(`${where}: BUTTONS needs at least one button`);
		return '';
	}
	if (buttons.length > TEMPLATE_LIMITS.buttons)
		errors.push(`${where}: ${buttons.length} buttons, Meta allows ${TEMPLATE_LIMITS.buttons}`);
	let layout = '';
	buttons.forEach((b, i) => {
		const at = `${where}.buttons[${i}]`;
		const text = b.text ?? '';
		if (!text.trim()) errors.push(`${at}: needs text`);
		if (length(text) > TEMPLATE_LIMITS.buttonText)
			errors.push(
				`${at}: text "${text}" is ${length(text)} characters, Meta allows ${TEMPLATE_LIMITS.buttonText}`,
			);
		if (/\{\{|[\n\r]/.test(text))
			errors.push(`${at}: button text cannot contain variables or line breaks`);
		switch (b.type) {
			case 'QUICK_REPLY':
				layout += 'Q';
				break;
			case 'URL': {
				const url = b.url ?? '';
				const vars = url.match(ANY_PLACEHOLDER) ?? [];
				if (!/^https?:\/\/[^\s/]+\.[^\s]+/.test(url))
					errors.push(`${at}: "${url}" is not an http(s) URL`);
				if (length(url) > TEMPLATE_LIMITS.buttonUrl)
					errors.push(`${at}: URL is longer than ${TEMPLATE_LIMITS.buttonUrl} characters`);
				if (vars.length > 1 || (vars.length === 1 && !/\{\{1\}\}$/.test(url))) {
					errors.push(`${at}: a URL button can have one variable, {{1}}, at the end of the URL`);
				}
				if (vars.length === 1) {
					const ex = b.example?.[0];
					const fixed = url.replace(/\{\{1\}\}$/, '');
					if (typeof ex !== 'string' || !ex.startsWith(fixed) || ex.length === fixed.length) {
						errors.push(`${at}: needs example [full sample URL starting with ${fixed}]`);
					}
				}
				layout += vars.length ? 'U' : 'u';
				break;
			}
			case 'PHONE_NUMBER':
				if (!/^\+?\d{6,20}$/.test(b.phone_number ?? ''))
					errors.push(`${at}: needs phone_number in international format`);
				layout += 'P';
				break;
			case 'COPY_CODE':
				if (category !== 'MARKETING')
					errors.push(`${at}: only MARKETING templates can have a COPY_CODE button`);
				layout += 'C';
				break;
			default:
				errors.push(`${at}: unsupported button type "${String(b.type)}"`);
				layout += '?';
		}
	});
	const count = (ch: string) => layout.split('').filter((x) => ch.includes(x)).length;
	if (count('Q') > TEMPLATE_LIMITS.quickReplyButtons)
		errors.push(`${where}: more than ${TEMPLATE_LIMITS.quickReplyButtons} quick replies`);
	if (count('Uu') > TEMPLATE_LIMITS.urlButtons)
		errors.push(`${where}: more than ${TEMPLATE_LIMITS.urlButtons} URL buttons`);
	if (count('P') > TEMPLATE_LIMITS.phoneButtons)
		errors.push(`${where}: more than ${TEMPLATE_LIMITS.phoneButtons} phone number button`);
	if (count('C') > TEMPLATE_LIMITS.copyCodeButtons)
		errors.push(`${where}: more than ${TEMPLATE_LIMITS.copyCodeButtons} copy code button`);
	// Quick replies and the other buttons must form two groups (QQ-UU or UU-QQ), not interleave.
	if (/Q[^Q]+Q/.test(layout) || /[^Q]Q+[^Q]/.test(layout)) {
		errors.push(
			`${where}: quick replies must be grouped together, before or after the other buttons`,
		);
	}
	return layout;
}

interface Shape {
	header: number;
	body: number;
	layout: string;
}

function checkComponents(
	where: string,
	components: unknown,
	category: string,
	errors: string[],
): Shape {
	const shape: Shape = { header: 0, body: 0, layout: '' };
	if (!Array.isArray(components) || components.length === 0) {
		errors.push(`${where}: components must be a non-empty array`);
		return shape;
	}
	const seen = new Map<string, number>();
	components.forEach((raw, i) => {
		if (!isObject(raw)) {
			errors.push(`${where}.components[${i}]: must be an object`);
			return;
		}
		const c = raw as unknown as TemplateComponent;
		const type = String(c.type);
		seen.set(type, (seen.get(type) ?? 0) + 1);
		const at = `${where} ${type}`;
		if (type === 'HEADER') shape.header = checkHeader(at, c, errors);
		else if (type === 'BODY') shape.body = checkBody(at, c, errors);
		else if (type === 'FOOTER') checkFooter(at, c, errors);
		else if (type === 'BUTTONS') shape.layout = checkButtons(at, c, category, errors);
		else
			errors.push(
				`${where}.components[${i}]: unknown component type "${type}" (HEADER, BODY, FOOTER, BUTTONS)`,
			);
	});
	if (seen.get('BODY') !== 1) errors.push(`${where}: needs exactly one BODY component`);
	for (const type of ['HEADER', 'FOOTER', 'BUTTONS']) {
		if ((seen.get(type) ?? 0) > 1) errors.push(`${where}: at most one ${type} component`);
	}
	return shape;
}

function checkNameAndCategory(name: unknown, category: unknown, errors: string[]): void {
	if (typeof name !== 'string' || !NAME_RE.test(name) || name.length > TEMPLATE_LIMITS.name) {
		errors.push(
			`name "${String(name)}": only lowercase letters, digits and underscores, at most ${TEMPLATE_LIMITS.name} characters`,
		);
	}
	if (!(TEMPLATE_CATEGORIES as readonly unknown[]).includes(category)) {
		errors.push(`category "${String(category)}": must be one of ${TEMPLATE_CATEGORIES.join(', ')}`);
	}
}

/** Checks one single-language template in Meta's create-template shape (e.g. hello_guest.json). */
export function validateMetaTemplate(t: unknown): TemplateValidation {
	const errors: string[] = [];
	if (!isObject(t)) return { valid: false, errors: ['template must be an object'] };
	const m = t as unknown as MetaTemplate;
	checkNameAndCategory(m.name, m.category, errors);
	if (typeof m.language !== 'string' || !LANGUAGE_RE.test(m.language))
		errors.push(`language "${String(m.language)}": must look like en or pt_BR`);
	checkComponents(String(m.language), m.components, String(m.category), errors);
	return { valid: errors.length === 0, errors };
}

/**
 * Checks a multi-language definition against Meta's rules (name, lengths, button counts and
 * grouping, placeholder numbering, examples for every variable) and against itself: every
 * language has the same variables and button layout, every variable is named, an `en` version
 * exists (the fallback language).
 */
export function validateTemplateDefinition(def: unknown): TemplateValidation {
	const errors: string[] = [];
	if (!isObject(def)) return { valid: false, errors: ['definition must be an object'] };
	const d = def as unknown as TemplateDefinition;
	checkNameAndCategory(d.name, d.category, errors);
	const vars = isObject(d.variables) ? d.variables : {};
	if (!isObject(d.variables))
		errors.push('variables: must be an object ({ header?, body?, buttons? })');
	const header = vars.header ?? [];
	const body = vars.body ?? [];
	const buttonVars = vars.buttons ?? [];
	for (const [where, list] of [
		['header', header],
		['body', body],
		['buttons', buttonVars],
	] as const) {
		if (!Array.isArray(list)) {
			errors.push(`variables.${where}: must be an array`);
			continue;
		}
		list.forEach((v, i) => {
			if (!isObject(v) || typeof v.name !== 'string' || !/^[a-z][a-z0-9_]*$/.test(v.name)) {
				errors.push(`variables.${where}[${i}]: needs a snake_case name`);
			}
		});
	}
	const languages = isObject(d.languages) ? Object.keys(d.languages) : [];
	if (languages.length === 0) errors.push('languages: needs at least one language');
	else if (!languages.includes('en'))
		errors.push('languages: needs an en version (the fallback language)');
	let firstLayout: string | undefined;
	for (const language of languages) {
		if (!LANGUAGE_RE.test(language))
			errors.push(`language "${language}": must look like en or pt_BR`);
		const shape = checkComponents(
			language,
			d.languages[language]?.components,
			String(d.category),
			errors,
		);
		if (Array.isArray(header) && shape.header !== header.length) {
			errors.push(
				`${language} HEADER: has ${shape.header} variables, variables.header names ${header.length}`,
			);
		}
		if (Array.isArray(body) && shape.body !== body.length) {
			errors.push(
				`${language} BODY: has ${shape.body} variables, variables.body names ${body.length}`,
			);
		}
		if (firstLayout === undefined) firstLayout = shape.layout;
		else if (shape.layout !== firstLayout) {
			errors.push(
				`${language} BUTTONS: the buttons differ from ${languages[0]} (same types in the same order in every language)`,
			);
		}
	}
	const layout = firstLayout ?? '';
	if (Array.isArray(buttonVars)) {
		const dynamic = [...layout].flatMap((ch, i) => (ch === 'U' ? [i] : []));
		const named = buttonVars.map((v) => v.index).sort((a, b) => a - b);
		if (JSON.stringify(dynamic) !== JSON.stringify(named)) {
			errors.push(
				`variables.buttons: name each URL button with {{1}} by its index (dynamic buttons at ${JSON.stringify(dynamic)}, named ${JSON.stringify(named)})`,
			);
		}
	}
	for (const [index, payload] of Object.entries(d.buttonPayloads ?? {})) {
		if (layout[Number(index)] !== 'Q')
			errors.push(`buttonPayloads.${index}: button ${index} is not a quick reply`);
		if (typeof payload !== 'string' || !payload || payload.length > 128)
			errors.push(`buttonPayloads.${index}: needs a payload of 1–128 characters`);
	}
	return { valid: errors.length === 0, errors };
}
