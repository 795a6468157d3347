/** Summaries of text already in memory: the general path (one record per line) and the fast path. */
import { getParser, type ParseFormat } from '../log/parser';
import { isRejection } from '../log/record';
import { createSummaryAggregator, type SummaryAggregator } from './aggregator';
import { countText } from './scan';

/**
 * The general path: every line through the format's parser, every record through `add`. Slower
 * than `summarizeText`, and the reference it must agree with.
 */
export function summarizeLines(
  lines: Iterable<string>,
  format: ParseFormat = 'auto',
): SummaryAggregator {
  const parse = getParser(format);
  const agg = createSummaryAggregator();
  for (const line of lines) {
    const outcome = parse(line);
    if (isRejection(outcome)) agg.reject(outcome.reason);
    else agg.add(outcome);
  }
  return agg;
}

/** The fast path over a whole text of lines (split as `readLines` splits them). */
export function summarizeText(text: string, format: ParseFormat = 'auto'): SummaryAggregator {
  const agg = createSummaryAggregator();
  countText(agg.state, text, getParser(format), format === 'combined' || format === 'auto');
  return agg;
}
