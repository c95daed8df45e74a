import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph } from '../../src/core/graph.ts';

test('topological order puts dependencies first; depths give the critical path', () => {
  const g = new Graph();
  g.depend('app', 'db');
  g.depend('app', 'server');
  g.depend('db', 'server');
  g.add('lonely');
  const order = g.topological();
  assert.ok(order.indexOf('server') < order.indexOf('db') && order.indexOf('db') < order.indexOf('app'));
  assert.equal(g.findCycle(), undefined);
  assert.equal(g.depths().get('app'), 3);
  assert.deepEqual(g.dependents('server').sort(), ['app', 'db']);
});

test('a cycle is returned as a closed path; a self-reference is a cycle', () => {
  const g = new Graph();
  g.depend('web', 'redis');
  g.depend('redis', 'web');
  assert.deepEqual(g.findCycle(), ['redis', 'web', 'redis']);
  const self = new Graph();
  self.depend('a', 'a');
  assert.deepEqual(self.findCycle(), ['a', 'a']);
});
