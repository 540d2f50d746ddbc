import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

import { validateCatalog, type Catalog } from '../../lib/catalog';
import exampleCatalog from '../../templates/catalog.example.json';

export type CatalogSource = 'example' | 'json' | 'url';

/** Catalogs loaded during one execution, keyed by source: a URL is fetched once, not per item. */
export type CatalogCache = Map<string, Promise<Catalog>>;

function invalid(context: IExecuteFunctions, where: string, json: unknown, itemIndex: number): Catalog {
	const result = validateCatalog(json);
	if (result.valid) return json as Catalog;
	const lines = result.errors.map((e) => `${e.path || '(root)'}: ${e.message}`);
	const first = lines[0];
	const more = lines.length > 1 ? ` (and ${lines.length - 1} more)` : '';
	throw new NodeOperationError(context.getNode(), `Invalid catalog from ${where}: ${first}${more}`, {
		itemIndex,
		description: lines.map((line) => `- ${line}`).join('\n'),
	});
}

function parseJson(context: IExecuteFunctions, where: string, value: unknown, itemIndex: number): unknown {
	if (typeof value !== 'string') return value;
	try {
		return JSON.parse(value);
	} catch (error) {
		throw new NodeOperationError(
			context.getNode(),
			`The catalog from ${where} is not valid JSON: ${(error as Error).message}`,
			{ itemIndex },
		);
	}
}

async function fetchCatalog(context: IExecuteFunctions, url: string, itemIndex: number): Promise<Catalog> {
	let body: unknown;
	try {
		body = await context.helpers.httpRequest({ method: 'GET', url, json: true });
	} catch (error) {
		throw new NodeOperationError(
			context.getNode(),
			`Could not load the catalog from ${url}: ${(error as Error).message}`,
			{ itemIndex },
		);
	}
	return invalid(context, url, parseJson(context, url, body, itemIndex), itemIndex);
}

/** The catalog for one item, validated; loaded at most once per distinct source in an execution. */
export async function loadCatalog(
	context: IExecuteFunctions,
	itemIndex: number,
	cache: CatalogCache,
): Promise<Catalog> {
	const source = context.getNodeParameter('catalogSource', itemIndex, 'example') as CatalogSource;
	if (source === 'example') {
		let loaded = cache.get('example');
		if (!loaded) {
			loaded = Promise.resolve(invalid(context, 'the example catalog', exampleCatalog, itemIndex));
			cache.set('example', loaded);
		}
		return await loaded;
	}
	if (source === 'json') {
		const raw = context.getNodeParameter('catalogJson', itemIndex, '') as unknown;
		const key = `json:${typeof raw === 'string' ? raw : JSON.stringify(raw)}`;
		let loaded = cache.get(key);
		if (!loaded) {
			const parsed = parseJson(context, 'the Catalog (JSON) parameter', raw, itemIndex);
			loaded = Promise.resolve(invalid(context, 'the Catalog (JSON) parameter', parsed, itemIndex));
			cache.set(key, loaded);
		}
		return await loaded;
	}
	if (source === 'url') {
		const url = String(context.getNodeParameter('catalogUrl', itemIndex, '') ?? '').trim();
		if (!/^https?:\/\//i.test(url)) {
			throw new NodeOperationError(context.getNode(), `Catalog URL must be an http(s) URL, got "${url}"`, {
				itemIndex,
			});
		}
		const key = `url:${url}`;
		let loaded = cache.get(key);
		if (!loaded) {
			loaded = fetchCatalog(context, url, itemIndex);
			cache.set(key, loaded);
		}
		return await loaded;
	}
	throw new NodeOperationError(context.getNode(), `Unknown catalog source "${String(source)}"`, { itemIndex });
}
