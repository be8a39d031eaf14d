// @fastify/static 10 require()s content-disposition 3, which is ESM-only: Node 20.19+ loads it (require(esm)), jest's
// CommonJS runtime cannot. Only reply.download() uses it, which the portal never calls; the CommonJS 1.x line has the
// same create(filename) function. jest.config.cjs maps the module name here.
const path = require('node:path');
const contentDisposition = require(path.join(__dirname, '../../../../node_modules/content-disposition/index.js'));

module.exports = { create: contentDisposition, parse: contentDisposition.parse };
