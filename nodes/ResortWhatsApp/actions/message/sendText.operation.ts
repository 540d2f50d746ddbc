import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { buildTextMessage } from '../../../../lib/whatsapp';
import { readRecipient, recipientField, type PreparedSend } from './common';

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
			body: this.getNodeParameter('text', itemIndex) as string,
			previewUrl: this.getNodeParameter('previewUrl', itemIndex, false) as boolean,
		}),
		summary: { type: 'text' },
	};
}
