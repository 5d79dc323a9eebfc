import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chartWidth,
  MIN_CHART_PX,
  rowLabelLimit,
  SERIES_LEGEND_PX
} from '../../src/lab/timeline/layout.js';

test('the chart takes what the row labels and paddings leave of the panel', () => {
  const short = chartWidth(600, 40, false);
  const long = chartWidth(600, 200, false);
  // Short labels: the lanes' titles set the left edge, not the labels.
  assert.equal(chartWidth(600, 10, false), short);
  assert.equal(short - long, 200 - 50);
  assert.ok(short < 600 - 32, 'paddings are left out');
});

test('a series legend beside the GPU lanes narrows the chart', () => {
  assert.equal(
    chartWidth(800, 40, false) - chartWidth(800, 40, true),
    SERIES_LEGEND_PX
  );
});

test('a panel too narrow for the chart gets the narrowest chart', () => {
  assert.equal(chartWidth(100, 200, true), MIN_CHART_PX);
});

test('row labels get at most a third of a panel, between 60 and 220 px', () => {
  assert.equal(rowLabelLimit(100), 60);
  assert.equal(rowLabelLimit(400), 120);
  assert.equal(rowLabelLimit(2000), 220);
});
