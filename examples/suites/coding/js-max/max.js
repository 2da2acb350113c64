function max(xs) {
  let best = 0;
  for (const x of xs) if (x > best) best = x;
  return best;
}
module.exports = { max };
