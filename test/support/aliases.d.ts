// The contract suite runs the same host app on Express 4 and Koa 2, installed under alias names.
declare module 'express4' {
  import express from 'express';
  export default express;
}
declare module 'koa2' {
  import Koa from 'koa';
  export default Koa;
}
