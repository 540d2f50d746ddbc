import { DateTime } from 'luxon';
import { classifyIntent, compileKeywords, DEFAULT_KEYWORDS, normalizeText, type IntentEntities } from '../../lib/intent';
import { normalizeTextGeneral } from '../../lib/intent/normalize';
import { corpusDigest, differentialConfigs, rng } from './intent-corpus';

/** Hand-labelled guest messages: [language, text, expected intent]. Includes typos, emoji, no accents. */
type Labelled = [lang: 'en' | 'es' | 'pt' | 'fr' | 'de' | 'it', text: string, intent: string];

const LABELLED: Labelled[] = [
	// ---------------- English
	['en', 'Hi there!', 'greeting'],
	['en', 'helloooo 👋', 'greeting'],
	['en', 'Good morning', 'greeting'],
	['en', 'thanks a lot!', 'thanks'],
	['en', 'Thank you so much 🙏', 'thanks'],
	['en', 'STOP', 'opt_out'],
	['en', 'stop please', 'opt_out'],
	['en', 'Please unsubscribe me from this list', 'opt_out'],
	['en', 'stop sending me messages', 'opt_out'],
	['en', 'We stop in Madrid on the way, can we arrive late?', 'availability'],
	['en', 'Can I talk to a person?', 'human'],
	['en', 'I want to speak to a human agent', 'human'],
	['en', 'Do you have availability from 12 to 15 March?', 'availability'],
	['en', 'any rooms free for next weekend?', 'availability'],
	['en', 'How much is a night in the villa?', 'pricing'],
	['en', 'what are your prices for july', 'pricing'],
	['en', 'Looking for a romantic getaway with my wife 💑', 'romance'],
	['en', 'honeymoon ideas? ❤️', 'romance'],
	['en', 'we are celebrating our aniversary', 'romance'],
	['en', 'Traveling with kids, do you have a kids club?', 'family'],
	['en', 'family friendly bungalow 👨‍👩‍👧', 'family'],
	['en', 'Any hiking or surfing nearby? 🏄', 'adventure'],
	['en', 'we love scuba diving and snorkeling', 'adventure'],
	['en', 'I need a relaxing spa weekend 🧘', 'wellness'],
	['en', 'do you offer massages and yoga?', 'wellness'],
	['en', 'group of 12 friends for a bachelor party', 'group'],
	['en', 'Corporate team building event for 20 colleagues', 'group'],
	['en', 'sign me up for your newsletter', 'opt_in'],
	['en', 'yes please send me offers', 'opt_in'],
	['en', 'asdf qwerty', 'unknown'],
	['en', 'Is the pool heated?', 'unknown'],
	// ---------------- Spanish
	['es', 'Hola!!', 'greeting'],
	['es', 'holaaaa buenas tardes', 'greeting'],
	['es', 'muchas gracias 😊', 'thanks'],
	['es', 'BAJA', 'opt_out'],
	['es', 'quiero darme de baja', 'opt_out'],
	['es', 'cancelar suscripcion', 'opt_out'],
	['es', 'por favor dejen de enviar mensajes', 'opt_out'],
	['es', 'quiero hablar con un agente', 'human'],
	['es', 'necesito hablar con una persona real', 'human'],
	['es', 'Hay disponibilidad del 3 al 6 de mayo?', 'availability'],
	['es', 'tienen habitacion libre para el 20 de diciembre', 'availability'],
	['es', 'Cuanto cuesta la noche?', 'pricing'],
	['es', 'precios para agosto por favor', 'pricing'],
	['es', 'busco algo romantico para mi aniversario ❤️', 'romance'],
	['es', 'viaje de luna de miel con mi esposa', 'romance'],
	['es', 'vamos con los niños, tienen club infantil?', 'family'],
	['es', 'somos una familia de 4', 'family'],
	['es', 'queremos hacer senderismo y buceo', 'adventure'],
	['es', 'aventura en la montaña 🏔️', 'adventure'],
	['es', 'tienen spa y masajes?', 'wellness'],
	['es', 'necesito relajarme, algo tranquilo 🧘', 'wellness'],
	['es', 'somos un grupo de amigos, despedida de soltero', 'group'],
	['es', 'evento de empresa para 30 personas', 'group'],
	['es', 'quiero recibir ofertas', 'opt_in'],
	['es', 'la piscina esta climatizada?', 'unknown'],
	['es', 'dos adultos y dos niños del 10 al 14 de julio', 'availability'],
	['es', 'quiero reservar para 2 noches', 'availability'],
	['es', 'presupuesto para una boda', 'pricing'],
	// ---------------- Portuguese
	['pt', 'Olá, bom dia!', 'greeting'],
	['pt', 'oii', 'greeting'],
	['pt', 'obrigadaa!', 'thanks'],
	['pt', 'valeu 🙏', 'thanks'],
	['pt', 'SAIR', 'opt_out'],
	['pt', 'parar', 'opt_out'],
	['pt', 'não quero receber mais mensagens', 'opt_out'],
	['pt', 'quero falar com um atendente', 'human'],
	['pt', 'posso falar com uma pessoa?', 'human'],
	['pt', 'tem vaga de 3 a 7 de junho?', 'availability'],
	['pt', 'disponibilidade para o carnaval', 'availability'],
	['pt', 'qual o preço da diaria?', 'pricing'],
	['pt', 'quanto custa o bangalo', 'pricing'],
	['pt', 'viagem romantica com minha esposa 💍', 'romance'],
	['pt', 'lua de mel em setembro', 'romance'],
	['pt', 'vamos com as crianças', 'family'],
	['pt', 'tem berço para bebê? 👶', 'family'],
	['pt', 'queremos fazer trilhas e mergulho', 'adventure'],
	['pt', 'tem tirolesa ou rafting?', 'adventure'],
	['pt', 'queria uma massagem e spa', 'wellness'],
	['pt', 'preciso descansar e relaxar', 'wellness'],
	['pt', 'somos um grupo de amigos', 'group'],
	['pt', 'despedida de solteira 🎉', 'group'],
	['pt', 'quero receber as promoções por aqui, me inscreva', 'opt_in'],
	['pt', 'o cafe da manha esta incluido?', 'unknown'],
	['pt', 'vamos sair para jantar', 'unknown'],
	['pt', 'reserva para 2 adultos e 1 criança', 'availability'],
	['pt', 'familia com 2 filhos', 'family'],
	// ---------------- French
	['fr', 'Bonjour', 'greeting'],
	['fr', 'salut 👋', 'greeting'],
	['fr', 'merci beaucoup', 'thanks'],
	['fr', 'ARRÊTER', 'opt_out'],
	['fr', 'arreter', 'opt_out'],
	['fr', 'je veux me désabonner', 'opt_out'],
	['fr', 'stop pub', 'opt_out'],
	['fr', 'je voudrais parler à un conseiller', 'human'],
	['fr', 'puis-je parler a quelqu un?', 'human'],
	['fr', 'Avez-vous des disponibilités du 10 au 14 juillet ?', 'availability'],
	['fr', 'une chambre libre pour deux adultes le 3 aout', 'availability'],
	['fr', 'quel est le prix par nuit ?', 'pricing'],
	['fr', 'combien coûte la villa', 'pricing'],
	['fr', 'séjour romantique en amoureux 💕', 'romance'],
	['fr', 'notre lune de miel', 'romance'],
	['fr', 'nous venons avec nos enfants', 'family'],
	['fr', 'vacances en famille 👨‍👩‍👦', 'family'],
	['fr', 'on aime la randonnée et la plongée', 'adventure'],
	['fr', 'activités d aventure 🧗', 'adventure'],
	['fr', 'un massage et le spa svp', 'wellness'],
	['fr', 'besoin de détente et de calme', 'wellness'],
	['fr', 'nous sommes un groupe de 10 amis', 'group'],
	['fr', 'séminaire d entreprise', 'group'],
	['fr', 'je veux recevoir vos offres', 'opt_in'],
	['fr', 'le petit dejeuner est inclus ?', 'unknown'],
	['fr', 'reservation pour 3 nuits', 'availability'],
	['fr', 'romantiqe week end', 'romance'],
	['fr', 'bonsoir, merci pour votre reponse', 'thanks'],
	// ---------------- German
	['de', 'Hallo', 'greeting'],
	['de', 'Guten Morgen!', 'greeting'],
	['de', 'Danke schön', 'thanks'],
	['de', 'vielen dank 🙏', 'thanks'],
	['de', 'STOPP', 'opt_out'],
	['de', 'bitte abmelden', 'opt_out'],
	['de', 'ich möchte keine nachrichten mehr', 'opt_out'],
	['de', 'Kann ich mit einem Mitarbeiter sprechen?', 'human'],
	['de', 'bitte einen Menschen, keinen Bot', 'human'],
	['de', 'Habt ihr vom 1. bis 8. August noch was frei?', 'availability'],
	['de', 'ist das zimmer am 12.03. verfügbar', 'availability'],
	['de', 'Was kostet eine Nacht?', 'pricing'],
	['de', 'preise fur die suite bitte', 'pricing'],
	['de', 'romantisches Wochenende mit meiner Frau 💑', 'romance'],
	['de', 'unsere Flitterwochen', 'romance'],
	['de', 'Urlaub mit Kindern', 'family'],
	['de', 'familienfreundlich? 👶', 'family'],
	['de', 'wir gehen gerne wandern und klettern', 'adventure'],
	['de', 'Tauchen und Schnorcheln möglich?', 'adventure'],
	['de', 'Gibt es eine Sauna und Massagen?', 'wellness'],
	['de', 'wir brauchen Ruhe und Entspannung', 'wellness'],
	['de', 'Junggesellenabschied mit Freunden', 'group'],
	['de', 'Firmenevent für 25 Kollegen', 'group'],
	['de', 'Newsletter abonnieren', 'opt_in'],
	['de', 'ist das frühstück inklusive?', 'unknown'],
	['de', '2 Erwachsene, 1 Kind', 'family'],
	['de', 'Romantik pur 🥂', 'romance'],
	['de', 'Entspanung im Spa', 'wellness'],
	// ---------------- Italian
	['it', 'Ciao!', 'greeting'],
	['it', 'buongiorno', 'greeting'],
	['it', 'grazie mille', 'thanks'],
	['it', 'BASTA', 'opt_out'],
	['it', 'voglio disiscrivermi', 'opt_out'],
	['it', 'non voglio ricevere altri messaggi', 'opt_out'],
	['it', 'vorrei parlare con un operatore', 'human'],
	['it', 'posso parlare con una persona vera?', 'human'],
	['it', 'avete disponibilità dal 5 al 9 agosto?', 'availability'],
	['it', 'camera libera per il 20 giugno', 'availability'],
	['it', 'quanto costa una notte?', 'pricing'],
	['it', 'prezzi per la villa', 'pricing'],
	['it', 'weekend romantico con mia moglie ❤️', 'romance'],
	['it', 'la nostra luna di miele', 'romance'],
	['it', 'vacanza con i bambini', 'family'],
	['it', 'siamo una famiglia con due bimbi', 'family'],
	['it', 'escursioni in montagna e rafting', 'adventure'],
	['it', 'ci piace il trekking 🥾', 'adventure'],
	['it', 'centro benessere e massaggi', 'wellness'],
	['it', 'voglio solo relax 🧘', 'wellness'],
	['it', 'gruppo di amici per un addio al celibato', 'group'],
	['it', 'evento aziendale per 40 colleghi', 'group'],
	['it', 'voglio ricevere le offerte', 'opt_in'],
	['it', 'la colazione è inclusa?', 'unknown'],
	['it', '2 adulti e un bambino dal 5 al 9 agosto', 'availability'],
	['it', 'romantca cena', 'romance'],
	['it', 'prenotazione per 3 notti', 'availability'],
	['it', 'buonasera, grazie', 'thanks'],
];

/**
 * Second set written after the keyword lists were tuned on LABELLED, to estimate accuracy on unseen text.
 * (Its first-run accuracy is reported in the PR; later keyword fixes may have used it.)
 */
const HOLDOUT: Labelled[] = [
	['en', 'hey hey', 'greeting'],
	['en', 'cheers mate', 'thanks'],
	['en', 'Unsubscribe', 'opt_out'],
	['en', 'please remove me from your list', 'opt_out'],
	['en', 'could someone from the team call me', 'human'],
	['en', 'is the beach villa available 3-6 june?', 'availability'],
	['en', 'whats the rate for 2 adults', 'pricing'],
	['en', 'planning a proposal 💍 any tips', 'romance'],
	['en', 'our toddler is 2, do you have a crib', 'family'],
	['en', 'kayaking trips?', 'adventure'],
	['en', 'sauna or hot tub?', 'wellness'],
	['en', 'wedding party of 40 guests', 'group'],
	['es', 'buenos dias 😊', 'greeting'],
	['es', 'graciass', 'thanks'],
	['es', 'no me escriban mas', 'opt_out'],
	['es', 'me pueden llamar por favor', 'human'],
	['es', 'tienen algo libre para semana santa', 'availability'],
	['es', 'cuanto sale la suite?', 'pricing'],
	['es', 'escapada romantica 🌹', 'romance'],
	['es', 'viajo con mis hijos', 'family'],
	['es', 'hay excursiones a caballo?', 'adventure'],
	['es', 'quiero un masaje relajante', 'wellness'],
	['es', 'cumpleaños con amigas 🥳', 'group'],
	['pt', 'boa noite', 'greeting'],
	['pt', 'muito obrigado pela ajuda', 'thanks'],
	['pt', 'parem de mandar mensagem', 'opt_out'],
	['pt', 'me liguem por favor', 'human'],
	['pt', 'tem quarto livre no feriado?', 'availability'],
	['pt', 'qual o valor da diaria', 'pricing'],
	['pt', 'aniversario de casamento 💑', 'romance'],
	['pt', 'tem clube infantil?', 'family'],
	['pt', 'passeio de barco e mergulho', 'adventure'],
	['pt', 'tem sauna?', 'wellness'],
	['fr', 'coucou', 'greeting'],
	['fr', 'merci !', 'thanks'],
	['fr', 'desinscrivez moi svp', 'opt_out'],
	['fr', 'appelez moi', 'human'],
	['fr', 'c est libre le 14 fevrier ?', 'availability'],
	['fr', 'vos tarifs pour aout', 'pricing'],
	['fr', 'demande en mariage 💍', 'romance'],
	['fr', 'club enfants ?', 'family'],
	['fr', 'du vtt et de l escalade', 'adventure'],
	['fr', 'hammam et soins', 'wellness'],
	['de', 'Servus', 'greeting'],
	['de', 'besten Dank', 'thanks'],
	['de', 'bitte austragen', 'opt_out'],
	['de', 'Rückruf bitte', 'human'],
	['de', 'ist im Juli noch etwas frei?', 'availability'],
	['de', 'wie viel kostet die Villa', 'pricing'],
	['de', 'Hochzeitstag feiern 🥂', 'romance'],
	['de', 'gibt es ein Kinderbett', 'family'],
	['de', 'Mountainbike Touren?', 'adventure'],
	['de', 'Wellness und Massage', 'wellness'],
	['it', 'salve', 'greeting'],
	['it', 'vi ringrazio', 'thanks'],
	['it', 'cancellatemi', 'opt_out'],
	['it', 'mi chiamate?', 'human'],
	['it', 'libera a ferragosto?', 'availability'],
	['it', 'quanto costano le suite', 'pricing'],
	['it', 'anniversario di matrimonio 💕', 'romance'],
	['it', 'avete la culla per il neonato', 'family'],
	['it', 'immersioni e snorkeling', 'adventure'],
	['it', 'idromassaggio?', 'wellness'],
];

const NOW = '2026-04-01';

function accuracy(set: Labelled[]) {
	const per: Record<string, { ok: number; total: number }> = {};
	const misses: string[] = [];
	for (const [lang, text, expected] of set) {
		const got = classifyIntent(text, { now: NOW }).intent;
		per[lang] ??= { ok: 0, total: 0 };
		per[lang].total++;
		if (got === expected) per[lang].ok++;
		else misses.push(`${lang} ${JSON.stringify(text)}: expected ${expected}, got ${got}`);
	}
	const all = Object.values(per).reduce((a, b) => ({ ok: a.ok + b.ok, total: a.total + b.total }), { ok: 0, total: 0 });
	return { per, all, misses };
}

function table(name: string, r: ReturnType<typeof accuracy>): string {
	const rows = Object.entries(r.per).map(([l, v]) => `  ${l}  ${v.ok}/${v.total}  ${((100 * v.ok) / v.total).toFixed(1)}%`);
	return [`${name} accuracy`, ...rows, `  all ${r.all.ok}/${r.all.total}  ${((100 * r.all.ok) / r.all.total).toFixed(1)}%`, ...r.misses.map((m) => `  miss: ${m}`)].join('\n');
}

describe('classifyIntent – labelled multilingual set', () => {
	it('has ≥ 150 messages covering all six languages', () => {
		expect(LABELLED.length).toBeGreaterThanOrEqual(150);
		expect(new Set(LABELLED.map((l) => l[0]))).toEqual(new Set(['en', 'es', 'pt', 'fr', 'de', 'it']));
	});

	it.each([
		['LABELLED', LABELLED],
		['HOLDOUT', HOLDOUT],
	] as const)('%s: accuracy ≥ 90 %% overall and per language', (name, set) => {
		const r = accuracy(set as Labelled[]);
		console.log(table(name, r));
		expect(r.all.ok / r.all.total).toBeGreaterThanOrEqual(0.9);
		for (const v of Object.values(r.per)) expect(v.ok / v.total).toBeGreaterThanOrEqual(0.9);
	});
});

describe('classifyIntent – opt-out and priority rules', () => {
	const c = (t: string) => classifyIntent(t, { now: NOW });

	it.each(['STOP', 'stop', 'Stop!', 'stop please', 'STOPP', 'baja', 'parar', 'sair', 'arrêter', 'désabonner', 'abmelden', 'disiscriviti', 'unsubscribe', 'cancelar suscripción', 'Stop 🛑'])(
		'"%s" is opt_out',
		(t) => expect(c(t).intent).toBe('opt_out'),
	);

	it('bare STOP inside a normal sentence is not an opt-out', () => {
		expect(c('we stop in Madrid on the way').intent).not.toBe('opt_out');
		expect(c('vamos sair para jantar').intent).not.toBe('opt_out');
		expect(c('para 2 adultos').intent).not.toBe('opt_out');
	});

	it('opt_out wins over everything', () => {
		const r = c('stop sending me offers, I do not care about your romantic spa prices');
		expect(r.intent).toBe('opt_out');
		expect(r.tags).toEqual(expect.arrayContaining(['romance', 'wellness']));
	});

	it('human beats booking questions and interests', () => {
		expect(c('how much is the family villa? I want to talk to a person').intent).toBe('human');
	});

	it('booking questions beat interests; interests go to tags', () => {
		const r = c('family holiday with kids, hiking 🏄 – any availability 3-6 june?');
		expect(r.intent).toBe('availability');
		expect(r.tags).toEqual(['family', 'adventure']);
		expect(c('how much for a romantic weekend?').intent).toBe('pricing');
	});

	it('interests beat opt_in and greetings', () => {
		expect(c('Hola! buscamos un spa 🧘').intent).toBe('wellness');
		expect(c('hi, please subscribe me, we love surfing').intent).toBe('adventure');
		expect(c('subscribe, thanks').intent).toBe('opt_in');
	});

	it('strongest interest wins, first mentioned on ties; tags list all interests', () => {
		const r = c('kids club? and massage, massage, spa');
		expect(r.intent).toBe('wellness');
		expect(r.tags).toEqual(['wellness', 'family']);
		const t = c('surfing or yoga');
		expect(t.intent).toBe('adventure');
		expect(t.tags).toEqual(['adventure', 'wellness']);
	});

	it('stated children imply a family tag', () => {
		expect(c('2 Erwachsene, 1 Kind').tags).toEqual(['family']);
	});

	it('unknown has confidence 0; confidence grows with evidence and is in 0..1', () => {
		expect(c('asdf').confidence).toBe(0);
		const one = c('spa').confidence;
		const two = c('spa massage').confidence;
		expect(one).toBeGreaterThan(0);
		expect(two).toBeGreaterThan(one);
		expect(c('STOP').confidence).toBeLessThanOrEqual(1);
	});

	it('normalises case, accents, repeated letters, typos and emoji', () => {
		expect(normalizeText('HOLAAAA Ñandú Straße')).toBe('hola nandu strase');
		expect(c('HOLAAAA').intent).toBe('greeting');
		expect(c('romantik').intent).toBe('romance');
		expect(c('masajes relajantes').intent).toBe('wellness');
		expect(c('honeymon').intent).toBe('romance'); // typo: missing letter
		expect(c('avdenture').intent).toBe('adventure'); // typo: swapped letters
		expect(c('👨‍👩‍👧').intent).toBe('family');
		expect(c('🏄‍♂️').intent).toBe('adventure');
		expect(c('💑').intent).toBe('romance');
		expect(c('looking').intent).toBe('unknown'); // no fuzzy match on first-letter changes ("booking")
	});

	it('guesses the language when clear', () => {
		expect(c('Hola, tienen habitaciones libres?').language).toBe('es');
		expect(c('Bonjour, avez-vous une chambre ?').language).toBe('fr');
		expect(c('Habt ihr noch ein Zimmer frei?').language).toBe('de');
	});
});

describe('classifyIntent – keyword extension', () => {
	it('adds keywords without code changes (flat and per language) and caches compilation', () => {
		expect(classifyIntent('glamping please', { now: NOW }).intent).toBe('unknown');
		const keywords = { adventure: ['glamping'], wellness: { es: ['temazcal'] }, opt_out: ['=basta ya'] };
		expect(classifyIntent('glamping please', { now: NOW, keywords }).intent).toBe('adventure');
		expect(classifyIntent('un temazcal?', { now: NOW, keywords }).intent).toBe('wellness');
		expect(classifyIntent('basta ya', { now: NOW, keywords }).intent).toBe('opt_out');
		// defaults still active in extend mode
		expect(classifyIntent('spa', { now: NOW, keywords }).intent).toBe('wellness');
		expect(compileKeywords(keywords)).toBe(compileKeywords(keywords));
	});

	it('replace mode uses only the given keywords', () => {
		const keywords = { romance: ['spa'] };
		expect(classifyIntent('spa', { now: NOW, keywords, keywordsMode: 'replace' }).intent).toBe('romance');
		expect(classifyIntent('hola', { now: NOW, keywords, keywordsMode: 'replace' }).intent).toBe('unknown');
	});

	it('accepts a whole keywords file (same shape as templates/intent-keywords.json)', () => {
		const file = { intents: { group: { en: ['reunion*'] } } };
		expect(classifyIntent('reunions', { now: NOW, keywords: file, keywordsMode: 'replace' }).intent).toBe('group');
	});
});

describe('classifyIntent – entities', () => {
	const cases: [now: string, text: string, expected: IntentEntities][] = [
		['2026-12-20', '5-8 jan', { checkIn: '2027-01-05', checkOut: '2027-01-08', nights: 3 }],
		['2026-12-20', '28 dec to 2 jan', { checkIn: '2026-12-28', checkOut: '2027-01-02', nights: 5 }],
		['2026-12-20', 'del 30 de diciembre al 2 de enero', { checkIn: '2026-12-30', checkOut: '2027-01-02', nights: 3 }],
		[NOW, '12 to 15 March', { checkIn: '2027-03-12', checkOut: '2027-03-15', nights: 3 }],
		[NOW, 'del 3 al 6 de mayo', { checkIn: '2026-05-03', checkOut: '2026-05-06', nights: 3 }],
		[NOW, 'vom 1. bis 8. August', { checkIn: '2026-08-01', checkOut: '2026-08-08', nights: 7 }],
		[NOW, 'du 10 au 14 juillet', { checkIn: '2026-07-10', checkOut: '2026-07-14', nights: 4 }],
		[NOW, 'dal 5 al 9 agosto', { checkIn: '2026-08-05', checkOut: '2026-08-09', nights: 4 }],
		[NOW, 'de 3 a 7 de junho', { checkIn: '2026-06-03', checkOut: '2026-06-07', nights: 4 }],
		[NOW, 'March 12-15', { checkIn: '2027-03-12', checkOut: '2027-03-15', nights: 3 }],
		[NOW, 'march 30 - april 2', { checkIn: '2027-03-30', checkOut: '2027-04-02', nights: 3 }],
		[NOW, '12/03 - 15/03', { checkIn: '2027-03-12', checkOut: '2027-03-15', nights: 3 }],
		[NOW, '12.03.-15.03.', { checkIn: '2027-03-12', checkOut: '2027-03-15', nights: 3 }],
		[NOW, '12-15/06', { checkIn: '2026-06-12', checkOut: '2026-06-15', nights: 3 }],
		[NOW, '20-23 dec', { checkIn: '2026-12-20', checkOut: '2026-12-23', nights: 3 }],
		[NOW, '1st to 5th of May', { checkIn: '2026-05-01', checkOut: '2026-05-05', nights: 4 }],
		[NOW, 'from 12 march 2027 to 15 march 2027', { checkIn: '2027-03-12', checkOut: '2027-03-15', nights: 3 }],
		[NOW, 'check in 12/06/2027 check out 15/06/2027', { checkIn: '2027-06-12', checkOut: '2027-06-15', nights: 3 }],
		[NOW, 'arriving 2026-06-10 leaving 2026-06-14', { checkIn: '2026-06-10', checkOut: '2026-06-14', nights: 4 }],
		[NOW, 'from 3 may for 3 nights', { checkIn: '2026-05-03', checkOut: '2026-05-06', nights: 3 }],
		[NOW, '3 noches desde el 10 de julio', { checkIn: '2026-07-10', checkOut: '2026-07-13', nights: 3 }],
		[NOW, 'drei Nächte ab dem 4. Mai', { checkIn: '2026-05-04', checkOut: '2026-05-07', nights: 3 }],
		[NOW, 'una semana desde el 1 de agosto', { checkIn: '2026-08-01', checkOut: '2026-08-08', nights: 7 }],
		[NOW, '29 feb', { checkIn: '2028-02-29' }],
		[NOW, 'tres noites', { nights: 3 }],
		[NOW, 'April 1', { checkIn: '2026-04-01' }],
		['2026-04-03', 'next weekend', { checkIn: '2026-04-10', checkOut: '2026-04-12', nights: 2 }],
		['2026-04-01', 'este fin de semana', { checkIn: '2026-04-03', checkOut: '2026-04-05', nights: 2 }],
		[NOW, 'we arrive at 10.30', {}],
		[NOW, 'romantic weekend', {}],
		[NOW, '2 adults and 1 child', { adults: 2, children: 1, guests: 3 }],
		[NOW, 'a child and 2 adults', { adults: 2, children: 1, guests: 3 }],
		[NOW, 'somos 4', { guests: 4 }],
		[NOW, 'family of 4', { guests: 4 }],
		[NOW, 'wir sind 5', { guests: 5 }],
		[NOW, 'nous sommes 3 personnes', { guests: 3 }],
		[NOW, 'siamo in 6', { guests: 6 }],
		[NOW, 'dos adultos y dos niños', { adults: 2, children: 2, guests: 4 }],
		[NOW, 'quatro adultos e duas crianças', { adults: 4, children: 2, guests: 6 }],
		[NOW, '2 Erwachsene, 1 Kind', { adults: 2, children: 1, guests: 3 }],
		[NOW, 'deux adultes', { adults: 2, guests: 2 }],
		[NOW, '2 adulti e un bambino', { adults: 2, children: 1, guests: 3 }],
		[NOW, '2 small kids', { children: 2 }],
		[NOW, 'adults: 2, children: 1', { adults: 2, children: 1, guests: 3 }],
		[NOW, 'what kind of room', {}],
		[NOW, 'may 2 adults come?', { adults: 2, guests: 2 }],
		[
			NOW,
			'Hola! somos 2 adultos y 1 niño del 3 al 6 de mayo',
			{ adults: 2, children: 1, guests: 3, checkIn: '2026-05-03', checkOut: '2026-05-06', nights: 3 },
		],
	];

	it.each(cases)('now=%s "%s"', (now, text, expected) => {
		expect(classifyIntent(text, { now }).entities).toEqual(expected);
	});

	it('accepts now as luxon DateTime, Date or ISO string (zone of now is used)', () => {
		const iso = classifyIntent('5-8 jan', { now: '2026-12-20T10:00:00+01:00' }).entities;
		const dt = classifyIntent('5-8 jan', { now: DateTime.fromISO('2026-12-20', { zone: 'America/New_York' }) }).entities;
		const date = classifyIntent('5-8 jan', { now: new Date('2026-12-20T12:00:00Z') }).entities;
		expect(iso.checkIn).toBe('2027-01-05');
		expect(dt.checkIn).toBe('2027-01-05');
		expect(date.checkIn).toBe('2027-01-05');
	});

	it('dates make a message an availability question', () => {
		expect(classifyIntent('12 to 15 March for 2', { now: NOW }).intent).toBe('availability');
	});
});

describe('classifyIntent – fast paths and caches give the same results', () => {
	it('a generated corpus of 8,000 messages classifies exactly as the implementation before the speed-up', () => {
		// Digest computed with lib/intent as of commit 1348366 (before the throughput work), same corpus and configs.
		const BEFORE = '9eb2e7b2df8c102dd4289d8483b332a97a33cd3e116d44853f86b70114b3d881';
		const run = corpusDigest(classifyIntent as (t: string, o: Record<string, unknown>) => unknown, differentialConfigs(DEFAULT_KEYWORDS), 20261125, 8000);
		// the corpus exercises every intent and many dates (so the digest covers all code paths)
		expect(run.messages).toBe(8018);
		for (const intent of ['opt_out', 'human', 'availability', 'pricing', 'romance', 'family', 'adventure', 'wellness', 'group', 'opt_in', 'greeting', 'thanks', 'unknown'])
			expect(run.intents[intent]).toBeGreaterThan(20);
		expect(run.withDates).toBeGreaterThan(2000);
		expect(run.digest).toBe(BEFORE);
	});

	it('normalizeText fast path equals the general path on random text (accents, marks, emoji, Σ, K, backticks)', () => {
		const r = rng(7);
		const alphabet: string[] = [];
		for (let c = 32; c < 127; c++) alphabet.push(String.fromCharCode(c));
		for (let c = 0x80; c < 0x260; c++) alphabet.push(String.fromCharCode(c));
		alphabet.push('\u0301', '\u0316', '\u0483', '\u1dc0', 'Σ', 'ς', '\u212a', 'İ', 'ẞ', '’', '‘', '–', '—', '`', '👋', '🏽', '\u200d', '\ufe0f', 'Ǖ', 'Å', 'Ω', 'Ⅳ', 'Ⓐ', '\u2000', 'ﬁ', 'ệ', '한');
		const frequent = 'aaabbeelllooossttnn  ..,,12';
		let differences = 0;
		for (let k = 0; k < 40_000; k++) {
			let s = '';
			for (let i = Math.floor(r() * 12); i > 0; i--) s += r() < 0.5 ? frequent[Math.floor(r() * frequent.length)] : alphabet[Math.floor(r() * alphabet.length)];
			if (r() < 0.3) s = s.toUpperCase();
			if (normalizeText(s) !== normalizeTextGeneral(s)) differences++;
		}
		expect(differences).toBe(0);
		expect(normalizeText('Straße ÆØ façade`')).toBe("strase aeo facade'");
		expect(normalizeText('Straße `x`')).toBe("strase 'x'");
		expect(normalizeText('plain `x`')).toBe('plain `x`');
	});

	it('an override list works after calls with the default list, is compiled once, and does not leak into the defaults', () => {
		expect(classifyIntent('temazcal please', { now: NOW }).intent).toBe('unknown');
		const keywords = { wellness: ['temazcal'] };
		expect(classifyIntent('temazcal please', { now: NOW, keywords }).intent).toBe('wellness');
		expect(classifyIntent('temazcal please', { now: NOW }).intent).toBe('unknown');
		expect(classifyIntent('temazcal please', { now: NOW, keywords }).intent).toBe('wellness');
		expect(compileKeywords(keywords)).toBe(compileKeywords(keywords));
		expect(compileKeywords(keywords, 'replace')).toBe(compileKeywords(keywords, 'replace'));
		expect(compileKeywords(keywords, 'replace')).not.toBe(compileKeywords(keywords));
		// an equal but different object is a different cache entry with the same behaviour
		expect(compileKeywords({ wellness: ['temazcal'] })).not.toBe(compileKeywords(keywords));
		expect(classifyIntent('temazcal please', { now: NOW, keywords: { wellness: ['temazcal'] } }).intent).toBe('wellness');
	});

	it('no evidence carries over from one message to the next (shared scoring buffers)', () => {
		const rich = classifyIntent('romantic spa honeymoon for 2 adults and 3 kids from 12 to 15 march, hola gracias', { now: NOW });
		expect(rich.tags.length).toBeGreaterThan(1);
		expect(rich.entities.children).toBe(3);
		expect(classifyIntent('asdf qwerty', { now: NOW })).toEqual({ intent: 'unknown', confidence: 0, tags: [], entities: {} });
		expect(classifyIntent('', { now: NOW })).toEqual({ intent: 'unknown', confidence: 0, tags: [], entities: {} });
	});

	it('words that are Object.prototype properties are not numbers (number words are looked up in a Map)', () => {
		expect(classifyIntent('we are constructor', { now: NOW }).entities).toEqual({});
		expect(classifyIntent('constructor adults and tostring kids', { now: NOW }).entities).toEqual({});
	});
});
