/**
 * Which crashed or failed journey executions to replay (issue #9, workflows/journey-recovery.json).
 *
 * n8n 2.40.7 marks an execution `crashed` when its process died while it ran (at the next start,
 * n8n/dist/eventbus/message-event-bus/message-event-bus.js performStartupRecovery; in queue mode
 * also when the main finds no job for it, scaling/scaling.service.js recoverFromQueue) and never
 * runs it again. An execution that ended `error` (a database timeout on a busy instance, a
 * sub-workflow that could not be started) is not run again either, although its booking event was
 * acknowledged. Both keep their stored data, so `POST /api/v1/executions/{id}/retry`
 * (n8n/dist/executions/execution.service.js retry) replays them as a new execution with mode
 * `retry` and `retryOf` = the original (an `error` one from the node that failed).
 *
 * The plan uses only what n8n itself records, so it needs no state of its own:
 *  - an execution that some other execution names in `retryOf`, or that the recovery's own log
 *    lists, has been retried: never again (a replay that crashes or fails is a new execution and
 *    gets its own single retry);
 *  - a chain of retries stops after `maxAttempts` (a journey that fails every time is left for a
 *    person, listed in `gaveUp`);
 *  - the first replay waits until the execution ended at least `minAgeMinutes` ago: a send it
 *    claimed must be past its claim lease before the replay reaches it, or the replay would find
 *    the claim held and skip the send. Each further attempt waits twice as long as the one before
 *    (exponential backoff: 16, 32, 64 min with the shipped settings), so a fault that lasts a while
 *    is not hammered.
 */
export interface ExecutionListItem {
	id: string | number;
	status?: string;
	mode?: string;
	workflowId?: string;
	retryOf?: string | number | null;
	retrySuccessId?: string | number | null;
	startedAt?: string | null;
	stoppedAt?: string | null;
}

export interface RecoveryOptions {
	now: Date;
	/** Replay only crashes at least this old (≥ the journeys' claim lease, plus a margin). */
	minAgeMinutes: number;
	/** Replays of one original execution, at most (1 = retry once, never a crashed retry). */
	maxAttempts: number;
	/** Only these workflows' executions (the journey entry workflows); empty = every workflow given. */
	workflowIds?: string[];
	/**
	 * Sub-workflows their parent starts without waiting for them (Post-Stay Review and Upsell): each
	 * run is a journey of its own (mode `integrated`), parked for days, that no parent replay
	 * repeats, so their crashed runs are replayed like the journey workflows'.
	 */
	detachedWorkflowIds?: string[];
	/** Executions the recovery already acted on (its log table): never again. */
	handled?: string[];
}

export interface PlannedRetry {
	id: string;
	workflowId: string;
	/** 1 for the first replay of an original, 2 for the replay of a crashed replay, … */
	attempt: number;
	original: string;
}

export interface RecoveryPlan {
	retry: PlannedRetry[];
	/** Executions whose chain reached maxAttempts: a person decides (the executions list, Retry). */
	gaveUp: PlannedRetry[];
	/** Executions not yet old enough for their attempt. */
	notYet: string[];
}

/** Executions started by an event or a schedule, or a replay of one. Sub-workflow runs (`integrated`) are replayed with their parent, unless detached. */
const REPLAYABLE_MODES = new Set(['webhook', 'trigger', 'retry']);

/** Ended without finishing their work: killed (`crashed`) or failed (`error`). */
const REPLAYABLE_STATUSES = new Set(['crashed', 'error']);

const str = (value: unknown): string => (value === null || value === undefined ? '' : String(value));

export function planRecovery(executions: ExecutionListItem[], options: RecoveryOptions): RecoveryPlan {
	const byId = new Map(executions.map((e) => [str(e.id), e]));
	const retried = new Set([...executions.map((e) => str(e.retryOf)), ...(options.handled ?? []).map(str)].filter(Boolean));
	const detached = new Set((options.detachedWorkflowIds ?? []).map(str).filter(Boolean));
	const allowed = new Set([...(options.workflowIds ?? []).map(str).filter(Boolean), ...detached]);
	const minAgeMs = options.minAgeMinutes * 60_000;
	const plan: RecoveryPlan = { retry: [], gaveUp: [], notYet: [] };

	for (const execution of executions) {
		const id = str(execution.id);
		if (!REPLAYABLE_STATUSES.has(str(execution.status)) || str(execution.retrySuccessId)) continue;
		const mode = str(execution.mode);
		if (!REPLAYABLE_MODES.has(mode) && !(mode === 'integrated' && detached.has(str(execution.workflowId)))) continue;
		if (allowed.size > 0 && !allowed.has(str(execution.workflowId))) continue;
		if (retried.has(id)) continue;

		// Walk back to the original; ancestors outside the listing count as one hop each.
		let attempt = 1;
		let original = id;
		let parent = str(execution.retryOf);
		const seen = new Set([id]);
		while (parent && !seen.has(parent)) {
			seen.add(parent);
			attempt += 1;
			original = parent;
			parent = str(byId.get(parent)?.retryOf);
		}
		const planned: PlannedRetry = { id, workflowId: str(execution.workflowId), attempt, original };
		if (attempt > options.maxAttempts) {
			plan.gaveUp.push(planned);
			continue;
		}
		const endedAt = Date.parse(str(execution.stoppedAt) || str(execution.startedAt));
		if (!Number.isFinite(endedAt) || options.now.getTime() - endedAt < minAgeMs * 2 ** (attempt - 1)) {
			plan.notYet.push(id);
			continue;
		}
		plan.retry.push(planned);
	}
	// Oldest first: the guests who have waited longest.
	plan.retry.sort((a, b) => Number(a.id) - Number(b.id));
	plan.gaveUp.sort((a, b) => Number(a.id) - Number(b.id));
	return plan;
}

/** What `GET /api/v1/executions/{id}?includeData=true` returns, as far as the check below reads it. */
export interface StoredExecution {
	data?: {
		resultData?: { runData?: Record<string, unknown> | null } | null;
		executionData?: { nodeExecutionStack?: unknown[] | null } | null;
	} | null;
	dataTooLargeToDisplay?: boolean;
}

/**
 * Whether n8n's Retry would have anything to run. In queue mode n8n 2.40.7 fails a job whose worker
 * died with `MaxStalledCountError` and stores in its place an empty run holding only that error
 * (workflow-runner.js processError: `runData: {}`, no node stack). A retry of that runs nothing
 * and fails at once, every attempt, so the chain would end `gave_up` for an event that only the
 * sender still has (with Respond: When Last Node Finishes it got a 500 and sent it again).
 * Anything else (data missing from the answer, too large to show, a node that ran or is queued)
 * counts as replayable, so a doubt never skips a replay.
 */
export function hasWorkToReplay(execution: StoredExecution): boolean {
	const data = execution.data;
	if (!data || execution.dataTooLargeToDisplay) return true;
	const ran = Object.keys(data.resultData?.runData ?? {}).length > 0;
	const queued = (data.executionData?.nodeExecutionStack ?? []).length > 0;
	return ran || queued;
}
