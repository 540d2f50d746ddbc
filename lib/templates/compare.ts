import type { TemplateComponent } from './types';

/**
 * What a guest sees of a template: component types, header format, texts and buttons (type,
 * text, URL, phone). Review examples are left out: Meta echoes them in varying shapes and a new
 * sample alone is not worth an edit (approved templates get one edit a day, ten a month).
 */
export function templateContent(components: unknown): unknown[] {
	if (!Array.isArray(components)) return [];
	return components.map((raw) => {
		const c = (raw ?? {}) as TemplateComponent;
		const type = String(c.type ?? '').toUpperCase();
		const out: Record<string, unknown> = { type };
		if (type === 'HEADER') out.format = String(c.format ?? 'TEXT').toUpperCase();
		if (c.text !== undefined) out.text = c.text;
		if (Array.isArray(c.buttons)) {
			out.buttons = c.buttons.map((b) => {
				const button: Record<string, unknown> = {
					type: String(b.type).toUpperCase(),
					text: b.text,
				};
				if (b.url !== undefined) button.url = b.url;
				if (b.phone_number !== undefined) button.phone_number = b.phone_number;
				return button;
			});
		}
		return out;
	});
}

/** True when two component lists show the guest the same message (see `templateContent`). */
export function sameTemplateContent(a: unknown, b: unknown): boolean {
	return JSON.stringify(templateContent(a)) === JSON.stringify(templateContent(b));
}
