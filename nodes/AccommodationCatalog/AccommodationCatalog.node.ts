import { processItems } from '../shared/perItem';
import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { lookupCatalog, type Tracking } from '../../lib/catalog';
import { toEntities, toIntent, toLanguage, toTags } from './inputs';
import { loadCatalog, type CatalogCache } from './source';
import { genericBookingBase, genericBookingUrl, listNames, urlSuffix } from './suggestions';

interface TrackingParameters {
	journeyId?: string;
	campaign?: string;
	medium?: string;
	source?: string;
	content?: string;
}

interface Options {
	genericBookingUrl?: string;
}

function tracking(parameters: TrackingParameters): Tracking {
	const out: Tracking = {};
	for (const key of ['journeyId', 'campaign', 'medium', 'source', 'content'] as const) {
		const value = parameters[key];
		if (value !== undefined && value !== null && String(value).trim() !== '') out[key] = String(value).trim();
	}
	return out;
}

export class AccommodationCatalog implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Accommodation Catalog',
		name: 'accommodationCatalog',
		icon: { light: 'file:accommodationCatalog.svg', dark: 'file:accommodationCatalog.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["catalogSource"] }}',
		description:
			"Finds the accommodations that fit a guest's party, dates and interests, with tracked booking links",
		defaults: { name: 'Accommodation Catalog' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{
				displayName: 'Catalog Source',
				name: 'catalogSource',
				type: 'options',
				default: 'example',
				options: [
					{
						name: 'Example Catalog',
						value: 'example',
						description: 'The bundled example resort (14 accommodations), to try the journey',
					},
					{
						name: 'JSON',
						value: 'json',
						description: 'Your catalog pasted here or built by an expression',
					},
					{
						name: 'URL',
						value: 'url',
						description: 'Your catalog file on a web server, loaded once per execution',
					},
				],
			},
			{
				displayName: 'Catalog (JSON)',
				name: 'catalogJson',
				type: 'json',
				default:
					'{\n  "version": 1,\n  "currency": "EUR",\n  "accommodations": []\n}',
				required: true,
				description:
					'Format: version, currency and accommodations with ID, name, type, capacity, interests, priceFrom, photoUrl, bookingUrl, unavailable',
				displayOptions: { show: { catalogSource: ['json'] } },
			},
			{
				displayName: 'Catalog URL',
				name: 'catalogUrl',
				type: 'string',
				default: '',
				required: true,
				placeholder: 'https://example.com/catalog.json',
				displayOptions: { show: { catalogSource: ['url'] } },
			},
			{
				displayName: 'Intent',
				name: 'intent',
				type: 'string',
				default: '={{ $json.intent.intent }}',
				description: 'Intent from the Guest Intent node; accommodations with it as interest rank first',
			},
			{
				displayName: 'Tags',
				name: 'tags',
				type: 'string',
				default: '={{ $json.intent.tags }}',
				description: 'Interests (romance, family, adventure, wellness, group), as a list or separated by commas',
			},
			{
				displayName: 'Entities',
				name: 'entities',
				type: 'json',
				default: '={{ $json.intent.entities }}',
				description:
					'Party and dates: { adults, children, guests, checkIn, checkOut, nights }. Accommodations that are too small or booked are left out.',
			},
			{
				displayName: 'Language',
				name: 'language',
				type: 'string',
				default: '={{ $json.intent.language }}',
				description: 'Language of names and suggestion text (en, es, pt, fr, de, it); English when empty',
			},
			{
				displayName: 'Max Results',
				name: 'maxResults',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 3,
				description: 'How many accommodations to suggest at most, best first',
			},
			{
				displayName: 'Tracking',
				name: 'tracking',
				type: 'collection',
				placeholder: 'Add Tracking Field',
				default: {},
				description: 'Added to every booking link, with utm_source, check_in, check_out, adults and children',
				options: [
					{
						displayName: 'Journey ID',
						name: 'journeyId',
						type: 'string',
						default: '',
						placeholder: "={{ $('Resort WhatsApp Trigger').item.json.wamid }}",
						description: 'Sent as journey_id, to connect a booking to this conversation',
					},
					{
						displayName: 'UTM Campaign',
						name: 'campaign',
						type: 'string',
						default: '',
						description: 'Default: the intent (romance, availability, …), or first_contact',
					},
					{
						displayName: 'UTM Content',
						name: 'content',
						type: 'string',
						default: '',
						description: 'Default: the accommodation ID',
					},
					{
						displayName: 'UTM Medium',
						name: 'medium',
						type: 'string',
						default: 'chat',
					},
					{
						displayName: 'UTM Source',
						name: 'source',
						type: 'string',
						default: 'whatsapp',
					},
				],
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Generic Booking URL',
						name: 'genericBookingUrl',
						type: 'string',
						default: '',
						placeholder: 'https://book.example.com/',
						description:
							"Link used when nothing fits, with the same tracking. Default: the site of the catalog's booking links.",
					},
				],
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const cache: CatalogCache = new Map();

		return await processItems(this, 1, async (item, itemIndex) => {
			const catalog = await loadCatalog(this, itemIndex, cache);
			const intent = toIntent(this.getNodeParameter('intent', itemIndex, ''));
			const tags = toTags(this.getNodeParameter('tags', itemIndex, []));
			const entities = toEntities(this.getNodeParameter('entities', itemIndex, {}));
			const language = toLanguage(this.getNodeParameter('language', itemIndex, ''));
			const limit = Number(this.getNodeParameter('maxResults', itemIndex, 3));
			if (!Number.isFinite(limit) || limit < 1) {
				throw new NodeOperationError(this.getNode(), `Max Results must be 1 or more, got ${limit}`, {
					itemIndex,
				});
			}
			const track = tracking(this.getNodeParameter('tracking', itemIndex, {}) as TrackingParameters);
			const options = this.getNodeParameter('options', itemIndex, {}) as Options;

			const accommodations = lookupCatalog(catalog, {
				intent,
				tags,
				entities,
				language,
				limit,
				tracking: track,
			});
			const top = accommodations[0];
			let bookingUrl = top?.bookingUrl ?? '';
			if (!top) {
				const base = genericBookingBase(catalog, options.genericBookingUrl ?? '');
				if (base) bookingUrl = genericBookingUrl(base, { intent, tracking: track, entities });
			}
			return {
				fields: {
					...item.json,
					accommodations: accommodations as unknown as IDataObject[],
					matched: accommodations.length > 0,
					topAccommodation: (top ?? null) as unknown as IDataObject | null,
					bookingUrl,
					bookingUrlSuffix: bookingUrl ? urlSuffix(bookingUrl) : '',
					suggestionText: listNames(
						accommodations.map((a) => a.name),
						language,
					),
				},
			};
		});
	}
}
