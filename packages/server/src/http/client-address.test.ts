import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clientAddressKey } from './client-address.js';

describe('client address key', () => {
  it('groups IPv6 addresses by /64 and keeps IPv4 as is', () => {
    assert.equal(clientAddressKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(clientAddressKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
    assert.equal(clientAddressKey('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(clientAddressKey('::1'), '0:0:0:0::/64');
    assert.equal(clientAddressKey('198.51.100.7'), '198.51.100.7');
    assert.equal(clientAddressKey('::ffff:198.51.100.7'), '198.51.100.7');
  });
});
