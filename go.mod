module github.com/nextmsa/nextmsa

go 1.26
