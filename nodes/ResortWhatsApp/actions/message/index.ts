import type { INodeProperties } from 'n8n-workflow';

import type { PrepareFunction } from './common';
import * as markAsRead from './markAsRead.operation';
import * as sendButtons from './sendButtons.operation';
import * as sendCtaUrl from './sendCtaUrl.operation';
import * as sendList from './sendList.operation';
import * as sendTemplate from './sendTemplate.operation';
import * as sendText from './sendText.operation';

export const operations: Record<string, PrepareFunction> = {
	sendTemplate: sendTemplate.prepare,
	sendText: sendText.prepare,
	sendButtons: sendButtons.prepare,
	sendList: sendList.prepare,
	sendCtaUrl: sendCtaUrl.prepare,
	markAsRead: markAsRead.prepare,
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['message'] } },
		default: 'sendTemplate',
		options: [
			{
				name: 'Mark as Read',
				value: 'markAsRead',
				action: 'Mark a message as read',
				description: 'Show the guest blue ticks on their message',
			},
			{
				name: 'Send Buttons',
				value: 'sendButtons',
				action: 'Send reply buttons',
				description: 'Up to three tappable reply buttons',
			},
			{
				name: 'Send Link Button',
				value: 'sendCtaUrl',
				action: 'Send a link button',
				description: 'A call-to-action button that opens a URL',
			},
			{
				name: 'Send List',
				value: 'sendList',
				action: 'Send a list',
				description: 'A menu of up to ten rows',
			},
			{
				name: 'Send Template',
				value: 'sendTemplate',
				action: 'Send a template',
				description: 'An approved template; the only kind allowed outside the 24-hour window',
			},
			{
				name: 'Send Text',
				value: 'sendText',
				action: 'Send a text',
				description: 'Free text inside the 24-hour window',
			},
		],
	},
	...sendTemplate.description,
	...sendText.description,
	...sendButtons.description,
	...sendList.description,
	...sendCtaUrl.description,
	...markAsRead.description,
	{
		displayName: 'Callback Data',
		name: 'callbackData',
		type: 'string',
		default: '',
		placeholder: "={{ 'order-' + $json.orderId }}",
		description:
			"Meta returns this text (biz_opaque_callback_data, up to 512 characters) with every status of the message, so a status webhook can tell which send it belongs to. The journeys tag their sends with it to record a send whose response n8n never saw. Don't put personal data in it.",
		displayOptions: { show: { resource: ['message'], operation: ['sendTemplate', 'sendText', 'sendButtons', 'sendList', 'sendCtaUrl'] } },
	},
];
