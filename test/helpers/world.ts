export * from '../../src/sim/world.js'
