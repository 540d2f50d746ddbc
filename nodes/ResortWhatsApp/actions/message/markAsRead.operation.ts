import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { buildMarkAsRead } from '../../../../lib/whatsapp';
import type { PreparedSend } from './common';

export const description: INodeProperties[] = [
	{
		displayName: 'Message ID',
		name: 'messageId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'wamid.HBgL...',
		description: "The guest message to mark as read (the trigger's wamid)",
		displayOptions: {
			show: { resource: ['message'], operation: ['markAsRead'] },
		},
	},
];

export function prepare(this: IExecuteFunctions, itemIndex: number): PreparedSend {
	return {
		payload: buildMarkAsRead(this.getNodeParameter('messageId', itemIndex) as string),
		summary: { type: 'read' },
	};
}
