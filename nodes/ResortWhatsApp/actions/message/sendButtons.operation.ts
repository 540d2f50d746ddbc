import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { buildReplyButtonsMessage, type ReplyButton } from '../../../../lib/whatsapp';
import { interactiveFrameFields, readFrame, recipientField, type PreparedSend } from './common';

export const description: INodeProperties[] = [
	recipientField('sendButtons'),
	...interactiveFrameFields('sendButtons'),
	{
		displayName: 'Buttons',
		name: 'buttons',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		default: {},
		placeholder: 'Add Button',
		description: 'One to three reply buttons; the ID comes back in the guest reply',
		displayOptions: {
			show: { resource: ['message'], operation: ['sendButtons'] },
		},
		options: [
			{
				displayName: 'Button',
				name: 'button',
				values: [
					{
						displayName: 'ID',
						name: 'id',
						type: 'string',
						default: '',
						description: 'Up to 256 characters',
					},
					{
						displayName: 'Title',
						name: 'title',
						type: 'string',
						default: '',
						description: 'Up to 20 characters',
					},
				],
			},
		],
	},
];

export function prepare(this: IExecuteFunctions, itemIndex: number): PreparedSend {
	const buttons = (this.getNodeParameter('buttons.button', itemIndex, []) as ReplyButton[]) ?? [];
	return {
		payload: buildReplyButtonsMessage({
			...readFrame(this, itemIndex),
			buttons,
		}),
		summary: { type: 'interactive.button' },
	};
}
