// The manifest of the release tests and fixture: two server copies (web, web-1), each with
// two copies of app (app, app-1) that share one release, and a cache without one. TOKEN is a
// !secret read from SHOP_TOKEN.
export const SHOP = `name: shop
web:
  provider: ec2
  count: 2
  containers:
    app:
      image: hello/app
      count: 2
      release: ./manage.py migrate
      environment:
        MODE: prod
        TOKEN: !secret SHOP_TOKEN
    cache:
      image: redis:7
`;
