import { DateTime } from 'luxon';

import { DEFAULT_BRANDING, findTemplate, loadTemplates } from './definitions';
import type {
	Branding,
	TemplateDefinition,
	TemplateSendParameters,
	TemplateVariable,
} from './types';
import { TemplateError } from './types';

export type TemplateValues = Record<string, string | number | null | undefined>;

export interface ParameterOptions {
	/** Definitions to use; default `loadTemplates()`. */
	templates?: TemplateDefinition[];
	/** Fills variables marked `branding` when no value is given; default templates/branding.json, `null` to turn off. */
	branding?: Branding | null;
}

/**
 * Meta refuses parameters with new lines, tabs or more than four spaces in a row
 * (error 132018), so those are folded into single spaces.
 */
export function cleanParameter(value: string): string {
	return value
		.replace(/[\t\r\n]+/g, ' ')
		.replace(/ {5,}/g, '    ')
		.trim();
}

function definitionFor(name: string, language: string, options: ParameterOptions) {
	const def = findTemplate(options.templates ?? loadTemplates(), name);
	if (!def.languages[language]) {
		throw new TemplateError(
			`Template "${name}" has no "${language}" version (has ${Object.keys(def.languages).join(', ')}); pick one with pickLanguage()`,
		);
	}
	return def;
}

function brandingValue(
	variable: TemplateVariable,
	language: string,
	branding: Branding | null,
): string | undefined {
	if (!variable.branding || !branding) return undefined;
	const raw = branding[variable.branding];
	if (typeof raw === 'string') return raw;
	if (raw && typeof raw === 'object') {
		const perLanguage = raw as Record<string, string>;
		return perLanguage[language] ?? perLanguage[branding.defaultLanguage];
	}
	return undefined;
}

function resolve(
	name: string,
	language: string,
	where: string,
	variables: TemplateVariable[],
	values: TemplateValues,
	branding: Branding | null,
): string[] {
	return variables.map((variable, i) => {
		const given = values[variable.name];
		const text =
			given === null || given === undefined || String(given).trim() === ''
				? brandingValue(variable, language, branding)
				: String(given);
		if (text === undefined || cleanParameter(text) === '') {
			const known = Object.keys(values).filter(
				(k) => values[k] !== undefined && values[k] !== null,
			);
			throw new TemplateError(
				`Template "${name}" (${language}) needs a value for "${variable.name}" ({{${i + 1}}} in the ${where})` +
					`${variable.description ? ` – ${variable.description}` : ''}; values given: ${known.length ? known.join(', ') : 'none'}`,
			);
		}
		return cleanParameter(text);
	});
}

/**
 * The ordered positional body parameters (`{{1}}`, `{{2}}`, …) for the Resort WhatsApp node,
 * from named values. Variables marked `branding` (resort name, sign-off) default to branding.json.
 */
export function bodyParameters(
	name: string,
	language: string,
	values: TemplateValues,
	options: ParameterOptions = {},
): string[] {
	const def = definitionFor(name, language, options);
	const branding = options.branding === undefined ? DEFAULT_BRANDING : options.branding;
	return resolve(name, language, 'body', def.variables.body ?? [], values, branding);
}

/** Everything the Resort WhatsApp node needs to send the template: header, body and button parameters. */
export function templateParameters(
	name: string,
	language: string,
	values: TemplateValues,
	options: ParameterOptions = {},
): TemplateSendParameters {
	const def = definitionFor(name, language, options);
	const branding = options.branding === undefined ? DEFAULT_BRANDING : options.branding;
	const result: TemplateSendParameters = {
		name,
		language,
		bodyParameters: resolve(name, language, 'body', def.variables.body ?? [], values, branding),
		buttons: [],
	};
	const header = resolve(name, language, 'header', def.variables.header ?? [], values, branding);
	if (header.length) result.header = { type: 'text', text: header[0] as string };

	const buttons =
		def.languages[language]?.components.find((c) => c.type === 'BUTTONS')?.buttons ?? [];
	for (const variable of def.variables.buttons ?? []) {
		const [suffix] = resolve(
			name,
			language,
			`button ${variable.index}`,
			[variable],
			values,
			branding,
		);
		// A full URL is accepted too: the template's fixed part is cut off.
		const fixed = (buttons[variable.index]?.url ?? '').replace(/\{\{\s*1\s*\}\}$/, '');
		const value = fixed && suffix.startsWith(fixed) ? suffix.slice(fixed.length) : suffix;
		result.buttons.push({ index: variable.index, subType: 'url', value });
	}
	for (const [index, payload] of Object.entries(def.buttonPayloads ?? {})) {
		result.buttons.push({ index: Number(index), subType: 'quick_reply', value: payload });
	}
	result.buttons.sort((a, b) => a.index - b.index);
	return result;
}

const LOCALES: Record<string, string> = { en: 'en-US', es: 'es', pt_BR: 'pt-BR' };

/**
 * A stay date for a template parameter in the guest's language: `Mar 14, 2026`, `14 mar 2026`,
 * `14 de mar. de 2026`. Dates without a time are calendar dates; timestamps are shown in the
 * resort's time zone (branding.json `timeZone`).
 */
export function formatStayDate(
	isoDate: string,
	language: string,
	timeZone: string = DEFAULT_BRANDING.timeZone,
): string {
	const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(isoDate);
	const parsed = dateOnly
		? DateTime.fromISO(isoDate, { zone: 'UTC' })
		: DateTime.fromISO(isoDate, { setZone: true }).setZone(timeZone);
	if (!parsed.isValid) throw new TemplateError(`"${isoDate}" is not an ISO date`);
	const locale = LOCALES[language] ?? language.replace('_', '-');
	return parsed.setLocale(locale).toLocaleString(DateTime.DATE_MED);
}
