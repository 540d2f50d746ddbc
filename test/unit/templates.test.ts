import { readFileSync } from 'fs';
import path from 'path';

import branding from '../../templates/branding.json';
import {
	bodyParameters,
	clone,
	formatStayDate,
	JOURNEY_TEMPLATE_NAMES,
	loadTemplates,
	pickLanguage,
	sameTemplateContent,
	templateParameters,
	toMetaTemplate,
	validateMetaTemplate,
	validateTemplateDefinition,
	type TemplateDefinition,
} from '../../lib/templates';
import { buildTemplateMessage } from '../../lib/whatsapp';

const ROOT = path.join(__dirname, '../..');
const templates = loadTemplates();
const byName = (name: string) => templates.find((t) => t.name === name) as TemplateDefinition;

describe('shipped templates', () => {
	it('are the seven journey templates in en, es and pt_BR, plus hello_guest', () => {
		expect(templates.map((t) => t.name)).toEqual([...JOURNEY_TEMPLATE_NAMES, 'hello_guest']);
		for (const name of JOURNEY_TEMPLATE_NAMES)
			expect(Object.keys(byName(name).languages)).toEqual(['en', 'es', 'pt_BR']);
	});

	it.each(templates.map((t) => [t.name, t] as const))('%s passes Meta rules', (_name, def) => {
		expect(validateTemplateDefinition(def)).toEqual({ valid: true, errors: [] });
		for (const language of Object.keys(def.languages)) {
			expect(validateMetaTemplate(toMetaTemplate(def, language))).toEqual({
				valid: true,
				errors: [],
			});
		}
	});

	it('categories follow Meta: abandoned-booking reminders and offers are MARKETING, confirmations UTILITY', () => {
		expect(Object.fromEntries(templates.map((t) => [t.name, t.category]))).toEqual({
			welcome_qualifier: 'MARKETING',
			product_suggestions: 'MARKETING',
			booking_reminder_1: 'MARKETING',
			booking_reminder_2: 'MARKETING',
			reservation_confirmation: 'UTILITY',
			post_purchase_review: 'UTILITY',
			upsell_offer: 'MARKETING',
			hello_guest: 'UTILITY',
		});
	});

	it('hello_guest.json is untouched Meta shape and loads as a one-language definition', () => {
		const raw = JSON.parse(
			readFileSync(path.join(ROOT, 'templates/message-templates/hello_guest.json'), 'utf8'),
		);
		expect(Object.keys(raw).sort()).toEqual(['category', 'components', 'language', 'name']);
		expect(toMetaTemplate(byName('hello_guest'), 'en')).toEqual(raw);
		expect(bodyParameters('hello_guest', 'en', { guest_name: 'Ana' })).toEqual(['Ana']);
	});

	it('URL buttons point at the booking site from branding.json', () => {
		for (const def of templates) {
			for (const lang of Object.values(def.languages)) {
				for (const b of lang.components.find((c) => c.type === 'BUTTONS')?.buttons ?? []) {
					if (b.type === 'URL') expect(b.url).toBe(`${branding.bookingBaseUrl}{{1}}`);
				}
			}
		}
		expect(
			byName('product_suggestions').languages.en.components.find((c) => c.type === 'BUTTONS')
				?.buttons,
		).toEqual([
			expect.objectContaining({
				type: 'URL',
				text: 'View Accommodations',
				url: 'https://book.example-resort.com/{{1}}',
			}),
		]);
	});

	it('loadTemplates returns copies', () => {
		loadTemplates()[0].name = 'changed';
		expect(loadTemplates()[0].name).toBe('welcome_qualifier');
	});
});

describe('pickLanguage', () => {
	it.each([
		['es', 'es'],
		['es-MX', 'es'],
		['es_AR', 'es'],
		['ES', 'es'],
		['pt', 'pt_BR'],
		['pt-PT', 'pt_BR'],
		['pt-BR', 'pt_BR'],
		['pt_br', 'pt_BR'],
		['en', 'en'],
		['en-GB', 'en'],
		['de', 'en'],
		['fr-CA', 'en'],
		['', 'en'],
		[undefined, 'en'],
		[null, 'en'],
	])('%s → %s', (guest, expected) => {
		expect(pickLanguage(templates, 'welcome_qualifier', guest)).toBe(expected);
	});

	it('falls back to en for a template that only has en, and names unknown templates', () => {
		expect(pickLanguage(templates, 'hello_guest', 'pt-BR')).toBe('en');
		expect(() => pickLanguage(templates, 'nope', 'en')).toThrow(
			/Unknown template "nope"\. Known templates: welcome_qualifier/,
		);
	});
});

describe('bodyParameters', () => {
	const values = {
		total: '$1,680.00',
		guests: '2 adults',
		accommodation_name: 'Ocean Villa',
		check_out: 'Mar 18, 2026',
		check_in: 'Mar 14, 2026',
		confirmation_code: 'PS-48213',
		guest_name: 'Ana',
	};

	it('orders named values by position and fills branding variables (resort name, sign-off per language)', () => {
		expect(bodyParameters('reservation_confirmation', 'en', values)).toEqual([
			'Ana',
			'Playa Serena',
			'PS-48213',
			'Mar 14, 2026',
			'Mar 18, 2026',
			'Ocean Villa',
			'2 adults',
			'$1,680.00',
			'The Playa Serena team',
		]);
		expect(bodyParameters('reservation_confirmation', 'pt_BR', values).at(-1)).toBe(
			'Equipe Playa Serena',
		);
		expect(
			bodyParameters('reservation_confirmation', 'es', {
				...values,
				resort_name: 'Casa Azul',
				sign_off: 'Equipo Casa Azul',
			}),
		).toEqual(expect.arrayContaining(['Casa Azul', 'Equipo Casa Azul']));
	});

	it('uses the given branding instead of the shipped one', () => {
		const other = {
			...branding,
			resortName: 'Casa Azul',
			signOff: { en: 'Casa Azul', es: 'Casa Azul', pt_BR: 'Casa Azul' },
		};
		expect(
			bodyParameters('welcome_qualifier', 'es', { guest_name: 'Lucía' }, { branding: other }),
		).toEqual(['Lucía', 'Casa Azul']);
	});

	it('errors clearly on a missing or empty value', () => {
		expect(() =>
			bodyParameters('booking_reminder_1', 'en', {
				guest_name: 'Ana',
				accommodation_name: 'Ocean Villa',
				check_in: 'Mar 14',
			}),
		).toThrow(
			'Template "booking_reminder_1" (en) needs a value for "check_out" ({{4}} in the body) – Check-out date, formatted for the guest\'s language (formatStayDate); values given: guest_name, accommodation_name, check_in',
		);
		expect(() => bodyParameters('welcome_qualifier', 'en', { guest_name: '  ' })).toThrow(
			/needs a value for "guest_name" \(\{\{1\}\}/,
		);
		expect(() =>
			bodyParameters('welcome_qualifier', 'en', { guest_name: 'Ana' }, { branding: null }),
		).toThrow(/"resort_name" \(\{\{2\}\}/);
	});

	it('refuses a language the template lacks, and folds new lines Meta would reject', () => {
		expect(() => bodyParameters('hello_guest', 'es', { guest_name: 'Ana' })).toThrow(
			/has no "es" version \(has en\); pick one with pickLanguage/,
		);
		expect(bodyParameters('hello_guest', 'en', { guest_name: 'Ana\nMaría\t' })).toEqual([
			'Ana María',
		]);
		expect(bodyParameters('hello_guest', 'en', { guest_name: 42 })).toEqual(['42']);
	});
});

describe('templateParameters', () => {
	it('gives header, body and buttons for the Resort WhatsApp node, which builds a valid send', () => {
		const p = templateParameters('welcome_qualifier', 'pt_BR', { guest_name: 'Marina' });
		expect(p).toEqual({
			name: 'welcome_qualifier',
			language: 'pt_BR',
			header: { type: 'text', text: 'Playa Serena' },
			bodyParameters: ['Marina', 'Playa Serena'],
			buttons: [
				{ index: 0, subType: 'quick_reply', value: 'romance' },
				{ index: 1, subType: 'quick_reply', value: 'family' },
				{ index: 2, subType: 'quick_reply', value: 'adventure' },
			],
		});
		const message = buildTemplateMessage({ to: '5511999990000', ...p }) as {
			template: { components: unknown[] };
		};
		expect(message.template.components).toHaveLength(5);
	});

	it('takes a URL suffix or a full URL on the booking site for dynamic URL buttons', () => {
		const base = { guest_name: 'Ana', suggestions: 'Ocean Villa from $420' };
		expect(
			templateParameters('product_suggestions', 'en', {
				...base,
				suggestions_path: 'stays?ids=ocean-villa',
			}).buttons,
		).toEqual([{ index: 0, subType: 'url', value: 'stays?ids=ocean-villa' }]);
		expect(
			templateParameters('product_suggestions', 'en', {
				...base,
				suggestions_path: 'https://book.example-resort.com/stays?ids=a',
			}).buttons,
		).toEqual([{ index: 0, subType: 'url', value: 'stays?ids=a' }]);
		expect(() => templateParameters('product_suggestions', 'en', base)).toThrow(
			/needs a value for "suggestions_path" \(\{\{1\}\} in the button 0\)/,
		);
		expect(
			templateParameters('upsell_offer', 'es', {
				guest_name: 'L',
				offer_name: 'Spa',
				offer_price: '1',
				offer_path: 'o',
			}).buttons,
		).toEqual([
			{ index: 0, subType: 'url', value: 'o' },
			{ index: 1, subType: 'quick_reply', value: 'stop_promotions' },
		]);
	});
});

describe('formatStayDate', () => {
	it('formats dates in the template language; timestamps in the resort time zone', () => {
		expect(formatStayDate('2026-03-14', 'en')).toBe('Mar 14, 2026');
		expect(formatStayDate('2026-03-14', 'es')).toBe('14 mar 2026');
		expect(formatStayDate('2026-03-14', 'pt_BR')).toBe('14 de mar. de 2026');
		// 02:00 UTC is still the 13th in Cancún (UTC−5).
		expect(formatStayDate('2026-03-14T02:00:00Z', 'en')).toBe('Mar 13, 2026');
		expect(formatStayDate('2026-03-14T02:00:00Z', 'en', 'Europe/Madrid')).toBe('Mar 14, 2026');
		expect(() => formatStayDate('14/03/2026', 'en')).toThrow(/not an ISO date/);
	});
});

describe('validateTemplateDefinition rejects what Meta would', () => {
	const withEdit = (name: string, edit: (d: TemplateDefinition) => void) => {
		const d = clone(byName(name));
		edit(d);
		return validateTemplateDefinition(d);
	};
	const body = (d: TemplateDefinition, lang = 'en') =>
		d.languages[lang].components.find((c) => c.type === 'BODY') as {
			text: string;
			example: { body_text: string[][] };
		};
	const buttons = (d: TemplateDefinition, lang = 'en') =>
		d.languages[lang].components.find((c) => c.type === 'BUTTONS')?.buttons as NonNullable<
			TemplateDefinition['languages'][string]['components'][number]['buttons']
		>;

	it('a body over 1024 characters', () => {
		const r = withEdit('hello_guest', (d) => {
			body(d).text = `Hi {{1}}, ${'a'.repeat(1020)}.`;
		});
		expect(r.valid).toBe(false);
		expect(r.errors).toEqual(['en BODY: text is 1031 characters, Meta allows 1024']);
		const exactly = withEdit('hello_guest', (d) => {
			body(d).text = `Hi {{1}}${'a'.repeat(1024 - 8)}`;
		});
		expect(exactly).toEqual({ valid: true, errors: [] });
	});

	it('bad names, categories and languages', () => {
		expect(
			withEdit('hello_guest', (d) => {
				d.name = 'Hello-Guest';
			}).errors,
		).toEqual([
			'name "Hello-Guest": only lowercase letters, digits and underscores, at most 512 characters',
		]);
		expect(
			withEdit('hello_guest', (d) => {
				(d as { category: string }).category = 'PROMO';
			}).errors[0],
		).toMatch(/category "PROMO": must be one of MARKETING, UTILITY, AUTHENTICATION/);
		expect(
			withEdit('hello_guest', (d) => {
				d.languages = { 'en-US': d.languages.en };
			}).errors,
		).toEqual(
			expect.arrayContaining([
				'languages: needs an en version (the fallback language)',
				'language "en-US": must look like en or pt_BR',
			]),
		);
	});

	it('header and footer over 60 characters, variables in the footer, two header variables', () => {
		const r = withEdit('welcome_qualifier', (d) => {
			d.languages.es.components[0].text = `Te damos la bienvenida a {{1}} ${'x'.repeat(40)}`;
			d.languages.es.components[2].text = `Responde STOP {{1}} ${'y'.repeat(50)}`;
			d.languages.pt_BR.components[0].text = 'Boas-vindas {{1}} {{2}}';
		});
		expect(r.errors).toEqual(
			expect.arrayContaining([
				'es HEADER: text is 71 characters, Meta allows 60',
				'es FOOTER: text is 70 characters, Meta allows 60',
				'es FOOTER: a footer cannot contain variables',
				'pt_BR HEADER: a header can have at most one variable, has 2',
			]),
		);
	});

	it('placeholder gaps, order, names; missing examples; variables at the edges or side by side', () => {
		expect(
			withEdit('booking_reminder_1', (d) => {
				body(d).text = body(d).text.replace('{{4}}', '{{5}}');
			}).errors,
		).toEqual(
			expect.arrayContaining([
				'en BODY: placeholders must be numbered {{1}}…{{4}} without gaps, found {{1}}, {{2}}, {{3}}, {{5}}',
			]),
		);
		expect(
			withEdit('hello_guest', (d) => {
				body(d).text = 'Hi {{name}}, welcome.';
			}).errors,
		).toEqual(
			expect.arrayContaining(['en BODY: placeholders must be positional like {{1}}, not {{name}}']),
		);
		expect(
			withEdit('booking_reminder_1', (d) => {
				body(d).example.body_text = [['Ana', 'Ocean Villa', 'Mar 14']];
			}).errors,
		).toEqual([
			'en BODY: needs example.body_text [[…]] with one sample for each of its 4 variables, has 3',
		]);
		expect(
			withEdit('hello_guest', (d) => {
				body(d).text = '{{1}}, welcome!';
			}).errors,
		).toEqual(['en BODY: the body cannot start or end with a variable (Meta rejects it)']);
		expect(
			withEdit('welcome_qualifier', (d) => {
				body(d).text = 'Hi {{1}} {{2}}, hello.';
			}).errors,
		).toEqual(['en BODY: two variables cannot be next to each other']);
		expect(
			withEdit('welcome_qualifier', (d) => {
				body(d, 'es').text = 'Hola {{1}}.';
			}).errors,
		).toEqual(expect.arrayContaining(['es BODY: has 1 variables, variables.body names 2']));
	});

	it('buttons: text over 25, more than 10, more than 2 URLs, quick replies not grouped, URL variable not at the end, missing URL example', () => {
		expect(
			withEdit('post_purchase_review', (d) => {
				buttons(d)[2].text = 'It could have been much better';
			}).errors,
		).toEqual([
			'en BUTTONS.buttons[2]: text "It could have been much better" is 30 characters, Meta allows 25',
		]);
		const many = withEdit('hello_guest', (d) => {
			d.languages.en.components.push({
				type: 'BUTTONS',
				buttons: Array.from({ length: 11 }, (_, i) => ({
					type: 'QUICK_REPLY',
					text: `Option ${i}`,
				})),
			});
		});
		expect(many.errors).toEqual([
			'en BUTTONS: 11 buttons, Meta allows 10',
			'en BUTTONS: more than 10 quick replies',
		]);
		const url = { type: 'URL', text: 'Open', url: 'https://book.example-resort.com/a' };
		expect(
			withEdit('hello_guest', (d) => {
				d.languages.en.components.push({ type: 'BUTTONS', buttons: [url, url, url] });
			}).errors,
		).toEqual(['en BUTTONS: more than 2 URL buttons']);
		expect(
			withEdit('upsell_offer', (d) => {
				for (const lang of Object.keys(d.languages))
					buttons(d, lang).push({ type: 'QUICK_REPLY', text: 'Later' }, { ...url });
			}).errors,
		).toEqual(
			expect.arrayContaining([
				'en BUTTONS: quick replies must be grouped together, before or after the other buttons',
			]),
		);
		expect(
			withEdit('product_suggestions', (d) => {
				buttons(d)[0].url = 'https://book.example-resort.com/{{1}}/details';
			}).errors,
		).toEqual(
			expect.arrayContaining([
				'en BUTTONS.buttons[0]: a URL button can have one variable, {{1}}, at the end of the URL',
			]),
		);
		expect(
			withEdit('product_suggestions', (d) => {
				delete buttons(d, 'es')[0].example;
			}).errors,
		).toEqual([
			'es BUTTONS.buttons[0]: needs example [full sample URL starting with https://book.example-resort.com/]',
		]);
	});

	it('definition consistency: same buttons in every language, named URL variables, payloads on quick replies', () => {
		expect(
			withEdit('welcome_qualifier', (d) => {
				buttons(d, 'es').pop();
			}).errors,
		).toEqual([
			'es BUTTONS: the buttons differ from en (same types in the same order in every language)',
		]);
		expect(
			withEdit('product_suggestions', (d) => {
				d.variables.buttons = [];
			}).errors,
		).toEqual([
			'variables.buttons: name each URL button with {{1}} by its index (dynamic buttons at [0], named [])',
		]);
		expect(
			withEdit('upsell_offer', (d) => {
				d.buttonPayloads = { '0': 'x' };
			}).errors,
		).toEqual(['buttonPayloads.0: button 0 is not a quick reply']);
		expect(
			withEdit('reservation_confirmation', (d) => {
				d.languages.en.components
					.find((c) => c.type === 'BUTTONS')
					?.buttons?.push({ type: 'COPY_CODE', text: 'Copy code' });
			}).errors,
		).toEqual(
			expect.arrayContaining([
				'en BUTTONS.buttons[1]: only MARKETING templates can have a COPY_CODE button',
			]),
		);
		expect(validateTemplateDefinition(null)).toEqual({
			valid: false,
			errors: ['definition must be an object'],
		});
	});
});

describe('sameTemplateContent', () => {
	it('compares what the guest sees, not review examples or key order', () => {
		const a = byName('product_suggestions').languages.en.components;
		const b = clone(a).map((c) => ({ ...c, example: undefined }));
		expect(sameTemplateContent(a, b)).toBe(true);
		const c = clone(a);
		c[1].text = `${c[1].text} Hurry!`;
		expect(sameTemplateContent(a, c)).toBe(false);
		const d = clone(a);
		(d[3].buttons ?? [])[0].text = 'See stays';
		expect(sameTemplateContent(a, d)).toBe(false);
	});
});
