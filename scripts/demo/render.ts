/**
 * What the guest's phone shows for one message the product sent through the (fake) Cloud API:
 * templates rendered from the stored template definitions with the variables of the send,
 * interactive buttons and lists, plain text. And what the phone sends back when a button or list
 * row is tapped (the same inbound message shapes the real WhatsApp sends).
 */
import type { FakeTemplate, InboundOptions, OutboundMessage } from '../fake-cloud-api/server';

export interface BubbleButton {
	/** reply: tapping sends a message back; url: opens the link; other: shown only. */
	kind: 'reply' | 'url' | 'other';
	label: string;
	url?: string;
	index: number;
}

export interface BubbleList {
	button: string;
	sections: Array<{
		title?: string;
		rows: Array<{ id: string; title: string; description?: string }>;
	}>;
}

export interface Bubble {
	/** text | template | interactive | image | document | … (the Cloud API message type). */
	type: string;
	/** Template name, or the interactive type. */
	label?: string;
	header?: string;
	body: string;
	footer?: string;
	buttons: BubbleButton[];
	list?: BubbleList;
}

type Obj = Record<string, any>;

/** Value of one template parameter as the phone shows it. */
function parameterText(parameter: Obj | undefined): string | undefined {
	if (!parameter) return undefined;
	switch (parameter.type) {
		case 'text':
			return String(parameter.text ?? '');
		case 'currency':
			return String(parameter.currency?.fallback_value ?? '');
		case 'date_time':
			return String(parameter.date_time?.fallback_value ?? '');
		case 'payload':
			return String(parameter.payload ?? '');
		default:
			return parameter.type ? `[${parameter.type}]` : undefined;
	}
}

/** Fills {{1}} / {{name}} placeholders from the send's parameters (positional or named). */
export function fill(text: string, parameters: Obj[] = []): string {
	return text.replace(/\{\{\s*([\w]+)\s*\}\}/g, (match, key: string) => {
		const parameter = /^\d+$/.test(key)
			? parameters[Number(key) - 1]
			: parameters.find((p) => p.parameter_name === key);
		return parameterText(parameter) ?? match;
	});
}

function findTemplate(
	templates: FakeTemplate[],
	name: string,
	language: string,
): FakeTemplate | undefined {
	return (
		templates.find((t) => t.name === name && t.language === language) ??
		templates.find((t) => t.name === name)
	);
}

function renderTemplate(payload: Obj, templates: FakeTemplate[]): Bubble {
	const { name = '?', language, components = [] } = (payload.template ?? {}) as Obj;
	const sent = components as Obj[];
	const sentPart = (type: string) => sent.find((c) => c.type === type);
	const definition = findTemplate(templates, name, language?.code ?? '');
	const bubble: Bubble = { type: 'template', label: name, body: '', buttons: [] };
	if (!definition) {
		bubble.body = `Template "${name}" (${language?.code ?? '?'}) is not in the WhatsApp Business Account`;
		return bubble;
	}
	for (const component of definition.components as Obj[]) {
		switch (component.type) {
			case 'HEADER':
				bubble.header =
					component.format === 'TEXT' || !component.format
						? fill(String(component.text ?? ''), sentPart('header')?.parameters)
						: `[${String(component.format).toLowerCase()}]`;
				break;
			case 'BODY':
				bubble.body = fill(String(component.text ?? ''), sentPart('body')?.parameters);
				break;
			case 'FOOTER':
				bubble.footer = String(component.text ?? '');
				break;
			case 'BUTTONS':
				(component.buttons as Obj[]).forEach((button, index) => {
					const sentButton = sent.find((c) => c.type === 'button' && Number(c.index) === index);
					if (button.type === 'QUICK_REPLY')
						bubble.buttons.push({ kind: 'reply', label: button.text, index });
					else if (button.type === 'URL')
						bubble.buttons.push({
							kind: 'url',
							label: button.text,
							index,
							url: fill(String(button.url ?? ''), sentButton?.parameters),
						});
					else bubble.buttons.push({ kind: 'other', label: button.text, index });
				});
				break;
		}
	}
	return bubble;
}

function renderInteractive(payload: Obj): Bubble {
	const interactive = (payload.interactive ?? {}) as Obj;
	const bubble: Bubble = {
		type: 'interactive',
		label: interactive.type,
		header:
			interactive.header?.type === 'text'
				? interactive.header.text
				: interactive.header
					? `[${interactive.header.type}]`
					: undefined,
		body: String(interactive.body?.text ?? ''),
		footer: interactive.footer?.text,
		buttons: [],
	};
	const action = (interactive.action ?? {}) as Obj;
	if (interactive.type === 'button') {
		(action.buttons as Obj[] | undefined)?.forEach((button, index) =>
			bubble.buttons.push({ kind: 'reply', label: String(button.reply?.title ?? ''), index }),
		);
	} else if (interactive.type === 'list') {
		bubble.list = {
			button: String(action.button ?? 'Options'),
			sections: ((action.sections as Obj[] | undefined) ?? []).map((section) => ({
				title: section.title,
				rows: ((section.rows as Obj[] | undefined) ?? []).map((row) => ({
					id: String(row.id),
					title: String(row.title),
					description: row.description,
				})),
			})),
		};
	} else if (interactive.type === 'cta_url') {
		bubble.buttons.push({
			kind: 'url',
			label: String(action.parameters?.display_text ?? 'Open'),
			url: action.parameters?.url,
			index: 0,
		});
	}
	return bubble;
}

export function renderOutbound(message: OutboundMessage, templates: FakeTemplate[]): Bubble {
	const payload = message.payload as Obj;
	switch (message.type) {
		case 'text':
			return { type: 'text', body: String(payload.text?.body ?? ''), buttons: [] };
		case 'template':
			return renderTemplate(payload, templates);
		case 'interactive':
			return renderInteractive(payload);
		case 'image':
		case 'document':
		case 'video':
		case 'audio': {
			const media = (payload[message.type] ?? {}) as Obj;
			const link = media.link ?? media.id;
			return {
				type: message.type,
				header: `[${message.type}${media.filename ? `: ${media.filename}` : ''}]`,
				body: String(media.caption ?? ''),
				buttons: link
					? [{ kind: 'url', label: `Open ${message.type}`, url: String(link), index: 0 }]
					: [],
			};
		}
		default:
			return { type: message.type, body: `[${message.type}]`, buttons: [] };
	}
}

export type Tap = { button: number } | { row: string };

/**
 * The inbound message the real WhatsApp sends when the guest taps button `index` (or list row
 * `row`) of `message`: a template quick reply is type "button" with the payload the send set
 * (the button text when it set none); an interactive reply button is "button_reply", a list row
 * "list_reply". The reply quotes the tapped message (context).
 */
export function tapReply(
	message: OutboundMessage,
	tap: Tap,
	templates: FakeTemplate[],
): Pick<InboundOptions, 'quickReplyButton' | 'buttonReply' | 'listReply' | 'context'> & {
	label: string;
} {
	const payload = message.payload as Obj;
	const context = { id: message.wamid };
	if ('row' in tap) {
		const bubble = renderInteractive(payload);
		const row = bubble.list?.sections.flatMap((s) => s.rows).find((r) => r.id === tap.row);
		if (!row) throw new Error(`no list row ${tap.row} in ${message.wamid}`);
		return {
			listReply: { id: row.id, title: row.title, description: row.description },
			context,
			label: row.title,
		};
	}
	if (message.type === 'interactive') {
		const reply = (payload.interactive?.action?.buttons as Obj[] | undefined)?.[tap.button]?.reply;
		if (!reply) throw new Error(`no reply button ${tap.button} in ${message.wamid}`);
		return {
			buttonReply: { id: String(reply.id), title: String(reply.title) },
			context,
			label: String(reply.title),
		};
	}
	if (message.type === 'template') {
		const button = renderTemplate(payload, templates).buttons[tap.button];
		if (!button || button.kind !== 'reply')
			throw new Error(`no quick-reply button ${tap.button} in ${message.wamid}`);
		const sent = ((payload.template?.components ?? []) as Obj[]).find(
			(c) => c.type === 'button' && c.sub_type === 'quick_reply' && Number(c.index) === tap.button,
		);
		const quickPayload = parameterText(sent?.parameters?.[0]) ?? button.label;
		return {
			quickReplyButton: { payload: quickPayload, text: button.label },
			context,
			label: button.label,
		};
	}
	throw new Error(`message ${message.wamid} (${message.type}) has nothing to tap`);
}
