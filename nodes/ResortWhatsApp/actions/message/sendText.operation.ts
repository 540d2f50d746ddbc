import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { buildTextMessage } from '../../../../lib/whatsapp';
import { readRecipient, recipientField, revealPhoneTokens, type PreparedSend } from './common';

const show = { show: { resource: ['message'], operation: ['sendText'] } };

export const description: INodeProperties[] = [
	recipientField('sendText'),
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		description:
			'Up to 4096 characters. Free text reaches a guest only within 24 hours of their last message.',
		displayOptions: show,
	},
	{
		displayName: 'Reveal Phone Numbers in Text',
		name: 'revealPhoneTokens',
		type: 'boolean',
		default: false,
		description:
			"Whether to replace encrypted guest numbers (v1.… tokens from the triggers) in the text with the number, in memory, just before sending. For alerts to your staff: n8n keeps only the token. Needs the Resort Guest Data credential.",
		displayOptions: show,
	},
	{
		displayName: 'Show Link Preview',
		name: 'previewUrl',
		type: 'boolean',
		default: false,
		displayOptions: show,
	},
];

export function prepare(this: IExecuteFunctions, itemIndex: number): PreparedSend {
	return {
		payload: buildTextMessage({
			to: readRecipient(this, itemIndex),
			body: (this.getNodeParameter('revealPhoneTokens', itemIndex, false) as boolean)
				? revealPhoneTokens(this, this.getNodeParameter('text', itemIndex) as string)
				: (this.getNodeParameter('text', itemIndex) as string),
			previewUrl: this.getNodeParameter('previewUrl', itemIndex, false) as boolean,
		}),
		summary: { type: 'text' },
	};
}
