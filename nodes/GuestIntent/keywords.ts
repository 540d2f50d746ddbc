import { INTENTS, LANGUAGES, type KeywordOverrides, type KeywordsFile } from '../../lib/intent';

const KEYWORD_INTENTS = INTENTS.filter((intent) => intent !== 'unknown') as readonly string[];
const LIST_KEYS = [...LANGUAGES, 'any'] as readonly string[];

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkWords(words: unknown, path: string): string | undefined {
	if (!Array.isArray(words)) return `${path} must be a list of words, e.g. ["glamping"]`;
	const bad = words.findIndex((word) => typeof word !== 'string');
	return bad >= 0 ? `${path}[${bad}] must be a string` : undefined;
}

function checkIntents(intents: Record<string, unknown>, prefix: string): string | undefined {
	for (const [intent, list] of Object.entries(intents)) {
		const path = `${prefix}${intent}`;
		if (!KEYWORD_INTENTS.includes(intent)) {
			return `"${path}" is not an intent (use ${KEYWORD_INTENTS.join(', ')})`;
		}
		if (Array.isArray(list)) {
			const problem = checkWords(list, path);
			if (problem) return problem;
			continue;
		}
		if (!isObject(list)) {
			return `${path} must be a list of words or an object of lists per language ({ "es": [...] })`;
		}
		for (const [language, words] of Object.entries(list)) {
			if (!LIST_KEYS.includes(language)) {
				return `"${path}.${language}" is not a language (use ${LIST_KEYS.join(', ')})`;
			}
			const problem = checkWords(words, `${path}.${language}`);
			if (problem) return problem;
		}
	}
	return undefined;
}

/**
 * Parses the Extra Keywords parameter: `{ intent: words | { language: words } }`, or a whole
 * keywords file (`{ intents: { … } }`, the shape of templates/intent-keywords.json).
 * Returns the parsed keywords, undefined when empty, or an error message naming the bad path.
 */
export function parseExtraKeywords(
	raw: unknown,
): { keywords?: KeywordOverrides | KeywordsFile; error?: string } {
	let value = raw;
	if (typeof value === 'string') {
		if (value.trim() === '') return {};
		try {
			value = JSON.parse(value);
		} catch (error) {
			return { error: `Extra Keywords is not valid JSON: ${(error as Error).message}` };
		}
	}
	if (value === undefined || value === null) return {};
	if (!isObject(value)) return { error: 'Extra Keywords must be a JSON object such as { "adventure": ["glamping"] }' };
	if (Object.keys(value).length === 0) return {};
	if (isObject(value.intents)) {
		const problem = checkIntents(value.intents, 'intents.');
		return problem ? { error: `Extra Keywords: ${problem}` } : { keywords: value as unknown as KeywordsFile };
	}
	const problem = checkIntents(value, '');
	return problem ? { error: `Extra Keywords: ${problem}` } : { keywords: value as KeywordOverrides };
}
