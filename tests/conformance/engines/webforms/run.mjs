// Runs conformance jobs through ODK Web Forms' engine (@getodk/xforms-engine) under jsdom.
// Called by tests/conformance/engines.py:  node run.mjs JOBS.json RESULTS.jsonl
//
// JOBS.json: {"jobs": [{"id", "xml", "answers": [[key, value]], "repeats": {key: n},
// "loops": [names of begin-loop groups]}]};
// RESULTS.jsonl: one JSON object per job, in the shape of the JavaRosa harness (load_error,
// eval_error, fields, answers, required_missing, constraint_failed), keys in FieldScreen's
// syntax (`name`, `rep[2].name`), groups left out.
//
// As for JavaRosa, answers are given as an interviewer would: a question that is not relevant
// or is read-only cannot be answered ("error"); a choice not offered is "error". Web Forms
// keeps a value that breaks its constraint and blocks submission instead; an interviewer
// must change it before submitting, so the harness reports "constraint" and puts the
// previous value back, as Collect does.
import { readFileSync, writeFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';

const { window } = new JSDOM('');
for (const name of ['document', 'Node', 'DOMParser', 'XMLSerializer', 'Element', 'Document',
  'Attr', 'Text', 'XMLDocument', 'NodeFilter']) {
  globalThis[name] = window[name];
}
// The engine's bundled tree-sitter takes a Node code path that expects these.
globalThis.__dirname = globalThis.__dirname ?? process.cwd();
globalThis.module = globalThis.module ?? {};

const { loadForm } = await import('@getodk/xforms-engine');

const LEAVES = new Set(['model-value', 'note', 'select', 'input', 'trigger', 'range', 'rank',
  'upload']);

function describe(error) {
  const message = error && error.message ? error.message : String(error);
  return `${error && error.name ? error.name : 'Error'}: ${message.split('\n')[0]}`;
}

/**
 * `/data/grp/hh[2]/nm` -> `hh[2].nm`: repeat entries keep their position, groups go, except
 * from a `begin loop` group down (`loop.choice.name`), as FieldScreen names them.
 */
function keyOf(reference, loops) {
  const parts = reference.split('/').filter(Boolean).slice(1);
  const out = [];
  let inLoop = false;
  parts.forEach((part, i) => {
    const last = i === parts.length - 1;
    const name = part.replace(/\[\d+\]$/, '');
    inLoop = inLoop || (!last && loops.has(name));
    if (last) {
      out.push(name);
    } else if (/\[\d+\]$/.test(part) || inLoop) {
      out.push(part);
    }
  });
  return out.join('.');
}

function* walk(node, top = true) {
  for (const child of node.currentState.children ?? []) {
    // meta/instanceID and friends: FieldScreen keeps its own.
    if (top && child.nodeType === 'group' && /\/meta$/.test(child.currentState.reference)) {
      continue;
    }
    if (LEAVES.has(child.nodeType)) {
      if (child.nodeType !== 'attribute') yield child;
    } else {
      yield* walk(child, false);
    }
  }
}

function* ranges(node) {
  for (const child of node.currentState.children ?? []) {
    if (child.nodeType === 'repeat-range:uncontrolled') yield child;
    if (!LEAVES.has(child.nodeType)) yield* ranges(child);
  }
}

function rangeKey(range, loops) {
  // A range has the reference of its repeat without a position.
  return keyOf(range.currentState.reference, loops);
}

/** Count-less repeats get the entries asked for, once they are relevant. */
function ensureRepeats(root, wanted, loops) {
  for (let pass = 0; pass < 1000; pass++) {
    let changed = false;
    for (const range of ranges(root)) {
      const want = wanted[rangeKey(range, loops)];
      if (want === undefined || !range.currentState.relevant) continue;
      const have = range.currentState.children.length;
      if (have < want) {
        range.addInstances(have - 1 < 0 ? undefined : have - 1, want - have);
        changed = true;
      } else if (have > want) {
        range.removeInstances(want, have - want);
        changed = true;
      }
      if (changed) break;
    }
    if (!changed) return;
  }
  throw new Error('repeats did not settle');
}

function leafByKey(root, key, loops) {
  for (const leaf of walk(root)) {
    if (keyOf(leaf.currentState.reference, loops) === key) return leaf;
  }
  return null;
}

function answer(root, key, value, loops) {
  const leaf = leafByKey(root, key, loops);
  if (!leaf || !leaf.currentState.relevant || leaf.currentState.readonly) return 'error';
  const before = leaf.currentState.instanceValue;
  if (value === '' && ['select', 'input', 'range', 'trigger'].includes(leaf.nodeType)) {
    // Clearing the answer, as an interviewer can; a required one cannot be left so (Collect).
    if (leaf.currentState.required) return 'error';
    restore(leaf, '');
    return 'ok';
  }
  if (leaf.nodeType === 'select') {
    const parts = value.trim().split(/\s+/).filter(Boolean);
    const offered = new Set(leaf.currentState.valueOptions.map((item) => item.value));
    if (parts.some((p) => !offered.has(p))) return 'error';
    const multiple = leaf.definition.bodyElement?.type === 'select';
    if (!multiple && parts.length !== 1) return 'error';
    leaf.selectValues(parts);
  } else if (leaf.nodeType === 'input' || leaf.nodeType === 'range') {
    leaf.setValue(value);
    if (leaf.currentState.instanceValue === '') return 'error';
  } else if (leaf.nodeType === 'trigger') {
    if (value !== 'OK') return 'error'; // acknowledge: ticked is "OK"
    leaf.setValue(true);
  } else {
    return 'error';
  }
  if (!leaf.validationState.constraint.valid) {
    restore(leaf, before);
    return 'constraint';
  }
  return 'ok';
}

function restore(leaf, before) {
  if (leaf.nodeType === 'select') {
    leaf.selectValues(before.split(/\s+/).filter(Boolean));
  } else if (leaf.nodeType === 'trigger') {
    leaf.setValue(before === 'OK');
  } else {
    leaf.setValue(before);
  }
}

async function runJob(job) {
  let form;
  try {
    // Offline: a form attachment (jr://file/...) is never fetched; it reads as blank.
    form = await loadForm(job.xml, {
      missingResourceBehavior: 'BLANK',
      fetchFormAttachment: async () => new Response('', { status: 404 }),
    });
    if (form.status === 'failure') return { load_error: describe(form.error) };
  } catch (error) {
    return { load_error: describe(error) };
  }
  let root;
  const result = {};
  const loops = new Set(job.loops ?? []);
  try {
    root = form.createInstance().root;
    ensureRepeats(root, job.repeats ?? {}, loops);
  } catch (error) {
    return { eval_error: describe(error) };
  }
  const outcomes = [];
  for (const [key, raw] of job.answers ?? []) {
    const value = raw === null || raw === undefined ? '' : String(raw);
    let outcome;
    try {
      outcome = answer(root, key, value, loops);
      ensureRepeats(root, job.repeats ?? {}, loops);
    } catch (error) {
      result.eval_error = result.eval_error ?? describe(error);
      outcome = 'error';
    }
    outcomes.push([key, outcome]);
  }
  const fields = {};
  const missing = [];
  const failed = [];
  try {
    for (const leaf of walk(root)) {
      const key = keyOf(leaf.currentState.reference, loops);
      const state = leaf.currentState;
      const value = state.instanceValue ?? '';
      fields[key] = { relevant: state.relevant, value };
      if (leaf.definition.bind?.preload) fields[key].preload = true; // start, end, ...
      const validation = leaf.validationState;
      if (state.relevant && value === '' && state.required) missing.push(key);
      if (state.relevant && value !== '' && validation && !validation.constraint.valid) {
        failed.push(key);
      }
    }
  } catch (error) {
    result.eval_error = result.eval_error ?? describe(error);
  }
  return { ...result, fields, answers: outcomes, required_missing: missing,
    constraint_failed: failed };
}

const [jobsPath, outPath] = process.argv.slice(2);
const { jobs } = JSON.parse(readFileSync(jobsPath, 'utf8'));
const lines = [];
for (const job of jobs) {
  let result;
  try {
    result = await runJob(job);
  } catch (error) {
    result = { load_error: `harness: ${describe(error)}` };
  }
  lines.push(JSON.stringify({ ...result, id: job.id }));
}
writeFileSync(outPath, lines.join('\n') + (lines.length ? '\n' : ''));
