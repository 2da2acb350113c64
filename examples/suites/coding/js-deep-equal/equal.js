function deepEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  const keys = Object.keys(a);
  return keys.every((k) => deepEqual(a[k], b[k]));
}
module.exports = { deepEqual };
