import type { TemplateDefinition } from './types';
import { findTemplate } from './definitions';

/** The language every template has and every guest falls back to. */
export const FALLBACK_LANGUAGE = 'en';

function parts(code: string): { primary: string; region?: string } {
	const [primary, region] = code.trim().replace(/-/g, '_').split('_');
	return { primary: (primary ?? '').toLowerCase(), region: region?.toUpperCase() };
}

/**
 * The template language to send to a guest: the exact locale when the template has it
 * (`pt-BR` → `pt_BR`), else a version in the same language (`es-MX` → `es`, `pt`/`pt-PT` →
 * `pt_BR`), else `en` (or the template's first language if it has no `en`).
 */
export function pickLanguage(
	templates: TemplateDefinition[],
	name: string,
	guestLanguage: string | null | undefined,
	fallback: string = FALLBACK_LANGUAGE,
): string {
	const available = Object.keys(findTemplate(templates, name).languages);
	const wanted = parts(guestLanguage ?? '');
	if (wanted.primary) {
		const exact = available.find((code) => {
			const p = parts(code);
			return p.primary === wanted.primary && p.region === wanted.region;
		});
		if (exact) return exact;
		const sameLanguage = available.filter((code) => parts(code).primary === wanted.primary);
		// Prefer the plain language code (`es`) over a regional one, then the first regional one.
		const plain = sameLanguage.find((code) => parts(code).region === undefined);
		if (plain ?? sameLanguage[0]) return (plain ?? sameLanguage[0]) as string;
	}
	if (available.includes(fallback)) return fallback;
	return available[0] as string;
}
