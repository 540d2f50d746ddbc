import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { LinkClaims } from '../../../../lib/links';
import { PayloadValidationError, type TemplateFallback } from '../../../../lib/whatsapp';

/** What an operation hands to the router: the Graph payload plus what the output should say. */
export interface PreparedSend {
	payload: IDataObject;
	fallback?: TemplateFallback;
	summary: IDataObject;
}

export type PrepareFunction = (this: IExecuteFunctions, itemIndex: number) => PreparedSend;

export function recipientField(operation: string): INodeProperties {
	return {
		displayName: 'Recipient Phone Number',
		name: 'to',
		type: 'string',
		default: '',
		required: true,
		placeholder: '+34600111222',
		description: "The guest's number in international format",
		displayOptions: { show: { resource: ['message'], operation: [operation] } },
	};
}

/** Body, header and footer shared by every interactive message. */
export function interactiveFrameFields(operation: string): INodeProperties[] {
	const show = { show: { resource: ['message'], operation: [operation] } };
	return [
		{
			displayName: 'Body',
			name: 'body',
			type: 'string',
			typeOptions: { rows: 3 },
			default: '',
			required: true,
			description: 'Up to 1024 characters',
			displayOptions: show,
		},
		{
			displayName: 'Header',
			name: 'headerText',
			type: 'string',
			default: '',
			description: 'Optional, up to 60 characters',
			displayOptions: show,
		},
		{
			displayName: 'Footer',
			name: 'footer',
			type: 'string',
			default: '',
			description: 'Optional, up to 60 characters',
			displayOptions: show,
		},
	];
}

type RecipientResolver = (to: string) => string;

/** Set by the router once per execution: it knows whether guest-data keys are attached. */
const recipientResolvers = new WeakMap<IExecuteFunctions, RecipientResolver>();

export function setRecipientResolver(context: IExecuteFunctions, resolver: RecipientResolver): void {
	recipientResolvers.set(context, resolver);
}

/** The recipient, decrypted in memory when the workflow passes an encrypted phone. */
export function readRecipient(context: IExecuteFunctions, itemIndex: number): string {
	const to = context.getNodeParameter('to', itemIndex) as string;
	const resolve = recipientResolvers.get(context);
	return resolve ? resolve(to) : to;
}

type TokenRevealer = (text: string) => string;
const tokenRevealers = new WeakMap<IExecuteFunctions, TokenRevealer>();

export function setTokenRevealer(context: IExecuteFunctions, revealer: TokenRevealer): void {
	tokenRevealers.set(context, revealer);
}

/**
 * The text with every encrypted phone token (`v1.…`) replaced by the number, in memory, for
 * messages to staff (e.g. a hand-over alert): n8n stores the token, only WhatsApp gets the number.
 */
export function revealPhoneTokens(context: IExecuteFunctions, text: string): string {
	const reveal = tokenRevealers.get(context);
	return reveal ? reveal(text) : text;
}

export function readFrame(context: IExecuteFunctions, itemIndex: number) {
	return {
		to: readRecipient(context, itemIndex),
		body: context.getNodeParameter('body', itemIndex) as string,
		headerText: context.getNodeParameter('headerText', itemIndex, '') as string,
		footer: context.getNodeParameter('footer', itemIndex, '') as string,
	};
}

type LinkSigner = (claims: Omit<LinkClaims, 'issuedAt'>) => { token: string } | { error: string };
const linkSigners = new WeakMap<IExecuteFunctions, LinkSigner>();

/** Set by the router once per execution, with the credential's link signing secret. */
export function setLinkSigner(context: IExecuteFunctions, signer: LinkSigner): void {
	linkSigners.set(context, signer);
}

/** A signed tracked-link token for a URL button (lib/links); PayloadValidationError when it cannot be made. */
export function signLink(context: IExecuteFunctions, claims: Omit<LinkClaims, 'issuedAt'>): string {
	const signed = linkSigners.get(context)?.(claims) ?? { error: 'link tracking is not available here' };
	if ('error' in signed) throw new PayloadValidationError('trackLinkClicks', signed.error);
	return signed.token;
}
