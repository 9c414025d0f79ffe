import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalAttributes, parseAmount } from './attributes.ts';

test('order value, intent and industry columns land under stable keys, whatever the file calls them', () => {
  assert.deepEqual(canonicalAttributes({ 订单金额: '¥1,299.50', 意向: '高', 所属行业: '教育', 城市: '杭州' }), {
    orderValue: 1299.5,
    intent: 'high',
    industry: '教育',
    城市: '杭州',
  });
  assert.deepEqual(canonicalAttributes({ 'Order Amount': '$ 42', 'Purchase Intent': 'Medium', Industry: 'Retail' }), {
    orderValue: 42,
    intent: 'mid',
    industry: 'Retail',
  });
  assert.deepEqual(canonicalAttributes({ cart_total: '300元', intent: 'L' }), { orderValue: 300, intent: 'low' });
});

test('what cannot be read as an amount or a level stays as written', () => {
  assert.deepEqual(canonicalAttributes({ 金额: '待定', 意向: '观望中' }), { 金额: '待定', intent: '观望中' });
  assert.equal(parseAmount('1.2.3'), null);
  assert.equal(parseAmount('１２００'), 1200);
  assert.equal(parseAmount('-15.5'), -15.5);
});
