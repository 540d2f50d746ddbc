/**
 * Guest Intent and Accommodation Catalog nodes as thin adapters: parameters in, items out,
 * with a minimal stand-in for n8n's execute context.
 */
import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { AccommodationCatalog } from '../../nodes/AccommodationCatalog/AccommodationCatalog.node';
import { GuestIntent } from '../../nodes/GuestIntent/GuestIntent.node';
import { listNames } from '../../nodes/AccommodationCatalog/suggestions';
import { parseExtraKeywords } from '../../nodes/GuestIntent/keywords';

type Params = Record<string, unknown>;

/** Parameter values per item: a function of the item's json, or a constant. */
function context(items: INodeExecutionData[], params: Record<string, unknown | ((json: Params) => unknown)>, extra: Partial<IExecuteFunctions> = {}) {
	const node = { id: 'n1', name: 'Node', type: 'test', typeVersion: 1, position: [0, 0], parameters: {} };
	return {
		getInputData: () => items,
		getNode: () => node,
		continueOnFail: () => false,
		getNodeParameter: (name: string, itemIndex: number, fallback?: unknown) => {
			const value = params[name];
			if (typeof value === 'function') return (value as (json: Params) => unknown)(items[itemIndex].json as Params);
			return value === undefined ? fallback : value;
		},
		helpers: {},
		...extra,
	} as unknown as IExecuteFunctions;
}

const intentParams = {
	text: (json: Params) => json.text,
	referenceTime: '2026-04-01T10:00:00Z',
	outputField: 'intent',
	extraKeywords: '{}',
	keywordsMode: 'extend',
};

const catalogParams = {
	catalogSource: 'example',
	intent: (json: Params) => (json.intent as Params).intent,
	tags: (json: Params) => (json.intent as Params).tags,
	entities: (json: Params) => (json.intent as Params).entities,
	language: (json: Params) => (json.intent as Params).language,
	maxResults: 3,
	tracking: { journeyId: 'j-1' },
	options: {},
};

async function classify(texts: string[], params: Params = {}) {
	const items = texts.map((text) => ({ json: { text, from: '34600111222' } }));
	const [out] = await new GuestIntent().execute.call(context(items, { ...intentParams, ...params }));
	return out;
}

describe('Guest Intent node', () => {
	it('adds the classification under the output field and keeps the item, paired', async () => {
		const out = await classify(['Hola! Somos 2 adultos y 2 niños, buscamos algo del 3 al 6 de mayo', 'STOP']);
		expect(out).toHaveLength(2);
		expect(out[0].pairedItem).toEqual({ item: 0 });
		expect(out[0].json).toMatchObject({
			from: '34600111222',
			intent: {
				intent: 'availability',
				tags: ['family'],
				language: 'es',
				entities: { adults: 2, children: 2, guests: 4, checkIn: '2026-05-03', checkOut: '2026-05-06', nights: 3 },
			},
		});
		expect((out[1].json.intent as Params).intent).toBe('opt_out');
	});

	it('extra keywords extend or replace the built-in lists', async () => {
		const extra = JSON.stringify({ adventure: ['glamping'], wellness: { es: ['temazcal'] } });
		const [a] = await classify(['any glamping?'], { extraKeywords: extra });
		expect((a.json.intent as Params).intent).toBe('adventure');
		const [b] = await classify(['romantic getaway'], { extraKeywords: extra, keywordsMode: 'replace' });
		expect((b.json.intent as Params).intent).toBe('unknown');
	});

	it('names the bad keyword path and a bad reference time', async () => {
		await expect(classify(['hi'], { extraKeywords: '{"romanse": ["x"]}' })).rejects.toThrow(/"romanse" is not an intent/);
		await expect(classify(['hi'], { extraKeywords: '{"romance": {"xx": ["x"]}}' })).rejects.toThrow(/"romance.xx" is not a language/);
		await expect(classify(['hi'], { referenceTime: 'tomorrow' })).rejects.toThrow(NodeOperationError);
		expect(parseExtraKeywords({ intents: { family: ['crianças'] } }).keywords).toBeDefined();
	});
});

describe('Accommodation Catalog node', () => {
	async function lookup(texts: string[], params: Params = {}, extra: Partial<IExecuteFunctions> = {}) {
		const classified = await classify(texts);
		const [out] = await new AccommodationCatalog().execute.call(context(classified, { ...catalogParams, ...params }, extra));
		return out;
	}

	it('suggests what fits the party and dates, with tracked links and a localized list', async () => {
		const [item] = await lookup(['Hola! Somos 2 adultos y 2 niños, buscamos algo del 10 al 12 de julio']);
		const ids = (item.json.accommodations as Params[]).map((a) => a.id);
		expect(ids).toEqual(['mountain-cabin', 'beach-apartment', 'family-beach-villa']); // family-suite is booked in July
		expect(item.json.matched).toBe(true);
		expect(item.json.suggestionText).toBe('Cabaña de Montaña, Apartamento Frente al Mar y Villa Familiar de Playa');
		expect(item.json.topAccommodation).toEqual((item.json.accommodations as Params[])[0]);
		const url = new URL(item.json.bookingUrl as string);
		expect(url.pathname).toBe('/stay/mountain-cabin');
		expect(Object.fromEntries(url.searchParams)).toEqual({
			utm_source: 'whatsapp',
			utm_medium: 'chat',
			utm_campaign: 'availability',
			utm_content: 'mountain-cabin',
			journey_id: 'j-1',
			check_in: '2026-07-10',
			check_out: '2026-07-12',
			adults: '2',
			children: '2',
		});
		expect(item.json.bookingUrlSuffix).toBe((item.json.bookingUrl as string).replace('https://book.example-resort.com/', ''));
		expect(item.json.text).toBeDefined();
	});

	it('an empty result is not an error: generic tracked link, matched false', async () => {
		const [item] = await lookup(['we are a group of 20 people'], {});
		expect(item.json).toMatchObject({ accommodations: [], matched: false, topAccommodation: null, suggestionText: '' });
		expect(item.json.bookingUrl).toBe(
			'https://book.example-resort.com/?utm_source=whatsapp&utm_medium=chat&utm_campaign=group&utm_content=no_match&journey_id=j-1',
		);
	});

	it('loads a URL catalog once per execution and names the bad path of an invalid one', async () => {
		const catalog = { version: 1, currency: 'EUR', accommodations: [] as unknown[] };
		const httpRequest = jest.fn(async () => catalog);
		const out = await lookup(['hola', 'hello'], { catalogSource: 'url', catalogUrl: 'https://x.test/c.json' }, { helpers: { httpRequest } } as never);
		expect(out).toHaveLength(2);
		expect(httpRequest).toHaveBeenCalledTimes(1);
		expect(out[0].json.bookingUrl).toBe('');

		const bad = JSON.stringify({ version: 1, currency: 'EUR', accommodations: [{ id: 'a', name: { en: 'A' }, type: 'villa', capacity: { adults: 0, children: 0 }, interests: [], priceFrom: { amount: 1, currency: 'EUR', per: 'night' }, photoUrl: 'https://x/a.jpg', bookingUrl: 'https://x/a' }] });
		await expect(lookup(['hi'], { catalogSource: 'json', catalogJson: bad })).rejects.toThrow(
			'Invalid catalog from the Catalog (JSON) parameter: accommodations[0].capacity.adults: must be an integer ≥ 1',
		);
	});

	it('joins names per language', () => {
		expect(listNames(['Villa Mar', 'Bungalow Sol', 'Cabana Pinos'], 'en')).toBe('Villa Mar, Bungalow Sol and Cabana Pinos');
		expect(listNames(['Villa Mar', 'Isla Azul'], 'es')).toBe('Villa Mar e Isla Azul');
		expect(listNames(['Villa Mar', 'Hielo'], 'es')).toBe('Villa Mar y Hielo');
		expect(listNames(['A', 'B'], 'de')).toBe('A und B');
		expect(listNames(['A'], undefined)).toBe('A');
	});
});
