import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

export interface ItemResult {
	fields: IDataObject;
	/** Output index (default 0) for nodes that route items, e.g. Valid / Needs Correction. */
	output?: number;
	/** Keep the input item's binary data (default true). */
	keepBinary?: boolean;
}

/**
 * The per-item loop every transform node here shares: run `transform` for each input item, keep
 * pairing and binary data, and on an error either add `{ error }` to the item (Continue On Fail)
 * or fail the node naming the item.
 */
export async function processItems(
	context: IExecuteFunctions,
	outputCount: number,
	transform: (item: INodeExecutionData, itemIndex: number) => Promise<ItemResult> | ItemResult,
	errorJson: (item: INodeExecutionData, itemIndex: number) => IDataObject = (item) => item.json,
): Promise<INodeExecutionData[][]> {
	const items = context.getInputData();
	const outputs: INodeExecutionData[][] = Array.from({ length: outputCount }, () => []);
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const item = items[itemIndex];
		try {
			const result = await transform(item, itemIndex);
			const keepBinary = result.keepBinary !== false && item.binary;
			outputs[result.output ?? 0].push({
				json: result.fields,
				...(keepBinary ? { binary: item.binary } : {}),
				pairedItem: { item: itemIndex },
			});
		} catch (error) {
			if (context.continueOnFail()) {
				outputs[0].push({ json: { ...errorJson(item, itemIndex), error: (error as Error).message }, pairedItem: { item: itemIndex } });
				continue;
			}
			// returns `error` itself when it already is a NodeOperationError
			throw new NodeOperationError(context.getNode(), error as Error, { itemIndex });
		}
	}
	return outputs;
}
