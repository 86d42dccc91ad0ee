# Otklik application image for the scaled-out deployment (Redis, PostgreSQL and ClickHouse are separate services).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force
COPY . .
EXPOSE 3000
USER node
CMD ["node", "bin/otklik.mjs", "start"]
