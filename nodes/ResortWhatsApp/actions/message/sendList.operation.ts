import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { buildListMessage, type ListSection } from '../../../../lib/whatsapp';
import { interactiveFrameFields, readFrame, recipientField, type PreparedSend } from './common';

const show = { show: { resource: ['message'], operation: ['sendList'] } };

export const description: INodeProperties[] = [
	recipientField('sendList'),
	...interactiveFrameFields('sendList'),
	{
		displayName: 'Button Text',
		name: 'buttonText',
		type: 'string',
		default: 'Choose',
		required: true,
		description: 'The button that opens the list, up to 20 characters',
		displayOptions: show,
	},
	{
		displayName: 'Rows',
		name: 'rows',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		default: {},
		placeholder: 'Add Row',
		description:
			'Up to 10 rows in total. Rows with the same section title are grouped into one section.',
		displayOptions: show,
		options: [
			{
				displayName: 'Row',
				name: 'row',
				values: [
					{
						displayName: 'Section Title',
						name: 'section',
						type: 'string',
						default: '',
						description: 'Up to 24 characters; required when there is more than one section',
					},
					{ displayName: 'ID', name: 'id', type: 'string', default: '' },
					{
						displayName: 'Title',
						name: 'title',
						type: 'string',
						default: '',
						description: 'Up to 24 characters',
					},
					{
						displayName: 'Description',
						name: 'description',
						type: 'string',
						default: '',
						description: 'Up to 72 characters',
					},
				],
			},
		],
	},
];

export function prepare(this: IExecuteFunctions, itemIndex: number): PreparedSend {
	const rows =
		(this.getNodeParameter('rows.row', itemIndex, []) as Array<{
			section?: string;
			id: string;
			title: string;
			description?: string;
		}>) ?? [];
	const sections: ListSection[] = [];
	for (const { section, ...row } of rows) {
		const title = section ?? '';
		let target = sections.find((candidate) => (candidate.title ?? '') === title);
		if (!target) {
			target = { title, rows: [] };
			sections.push(target);
		}
		target.rows.push(row);
	}
	return {
		payload: buildListMessage({
			...readFrame(this, itemIndex),
			buttonText: this.getNodeParameter('buttonText', itemIndex) as string,
			sections,
		}),
		summary: { type: 'interactive.list' },
	};
}
