import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { buildCtaUrlMessage } from '../../../../lib/whatsapp';
import { interactiveFrameFields, readFrame, recipientField, type PreparedSend } from './common';

const show = { show: { resource: ['message'], operation: ['sendCtaUrl'] } };

export const description: INodeProperties[] = [
	recipientField('sendCtaUrl'),
	...interactiveFrameFields('sendCtaUrl'),
	{
		displayName: 'Button Text',
		name: 'displayText',
		type: 'string',
		default: 'View Accommodations',
		required: true,
		description: 'Up to 20 characters',
		displayOptions: show,
	},
	{
		displayName: 'URL',
		name: 'url',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://book.example-resort.com/?utm_source=whatsapp',
		displayOptions: show,
	},
];

export function prepare(this: IExecuteFunctions, itemIndex: number): PreparedSend {
	return {
		payload: buildCtaUrlMessage({
			...readFrame(this, itemIndex),
			displayText: this.getNodeParameter('displayText', itemIndex) as string,
			url: this.getNodeParameter('url', itemIndex) as string,
		}),
		summary: { type: 'interactive.cta_url' },
	};
}
